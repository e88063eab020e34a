#!/usr/bin/env python
from zhengban.cli import main

if __name__ == "__main__":
    main()
