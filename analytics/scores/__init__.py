"""模拟测评 scores: reading score sheets (sheets), storing them (store), the scores by 点位, type and unit
(model) and their figures (charts)."""
