"""Summit Reader: read, compare and annotate the texts of the international AI summits."""

__version__ = "0.1.0"
