"""Accountability: who is called to account (约谈, 问责) and who is praised (红榜)."""
