from summit_reader.cli import main

if __name__ == "__main__":
    main()
