"""Running requests: start, claim, complete, cancel, timers, breaches and the outbox."""
