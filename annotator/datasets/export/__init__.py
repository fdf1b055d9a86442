"""Dataset export: ``plan`` reads, ``formats`` write, ``files`` sends to a file or a download."""
