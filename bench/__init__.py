"""The performance benchmark (`make bench`, `make bench-quick`)."""
