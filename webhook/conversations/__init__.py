"""What we keep about a conversation: its state and its transcript (both in Redis)."""
