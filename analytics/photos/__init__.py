"""Photo evidence: the pictures units paste into their ledgers (floating, WPS cell pictures, Excel
在单元格中 pictures) read from the package, checked, given to their problem rows as 整改前/整改后,
stored once by content, and the rules that make them matter (无佐证, 同图多用, 照片早于发现)."""
