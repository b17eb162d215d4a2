"""The responsibility map: 点位 registry, 联点领导, 包保, 门前四包, and who answers for what."""
