"""The 晨报 pushed to group chats: robot channels (channels), what is sent (message), when (schedule),
the once-per-day record (store), the robots' answers (errors) and the sending itself (sending)."""
