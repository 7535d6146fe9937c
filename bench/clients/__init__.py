"""What each benchmark process runs: the hub, dlt, and the hand-written ceilings."""
