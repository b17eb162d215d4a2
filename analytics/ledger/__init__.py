"""The problem ledger (台账): reading a unit's ledger, the current state and its history, counts, trends,
who is behind, rebounds, 返工, the countdown and the morning briefing (晨报)."""
