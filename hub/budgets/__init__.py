"""Daily API budgets per connector instance: counted, paced, paused before they run out."""
