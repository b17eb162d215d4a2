"""Readiness across the three parts of the 测评: reading the 测评体系分解表, 网上申报 and 问卷调查 sheets
(sheets), storing them (store), the projected score (model) and its figures (charts)."""
