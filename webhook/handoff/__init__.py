"""Handing conversations to people: the queue, ownership, replies within Messenger's rules."""
