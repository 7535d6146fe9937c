"""Scheduling machinery: runs targets named by reference; imports nothing of ours."""
