"""The office's own words for a problem's status and its source (问题来源), read by meaning, and the
headers of its picture columns (整改前照片, 整改后照片: analytics.photos).

The words are data: built-in defaults (analytics/shared/defaults/statuses.csv, sources.csv) and the words
users add on the 设置 page (table `office_words`, the user's reading wins). The grammar that reads
them is here:

- Status: the text is scanned left to right for the longest known word at each place. A negation
  before a word (未/没有/尚未/不/待/需 …) gives the word's negated reading (未整改, 待验收 → the unit says
  done, not yet verified, 复查未通过 → open again); a plan (预计/计划/争取 …) or a part (部分/基本) makes
  a done word 整改中, as does a progressive (正在…, …中). The last reading in the text wins (已整改，
  复查未通过 → 待整改), except that 整改中 anywhere beats a negated 未完成 (整改中，尚未完成), and a
  percentage below 100 keeps a done reading at 整改中. Punctuation ends a negation's reach.
- Source: every known word in the text is found; the highest rank wins (上级 > 暗访 > 专项, 群众, 媒体,
  人大政协 > 模拟测评, 自查 > 日常督查), the longer word on a tie. A source nobody knows is kept as written.
"""
from __future__ import annotations

import csv
import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from analytics.shared.db import transaction
from analytics.shared.reading.layout import HeaderVocabulary, ledger_headers
from analytics.shared.statuses import CLOSED, DONE_STATUSES, IN_PROGRESS, PENDING, RECTIFIED, STATUSES
from analytics.shared.vocab import DEFAULTS_DIR, FIELD_LABELS, HEADER_SYNONYMS, PHOTO_FIELDS, clean_header, clean_text

if TYPE_CHECKING:   # the parser's worker processes read the words, and need no pandas
    import duckdb
    import pandas as pd

KINDS = {"status": "整改状态", "source": "问题来源", "photo": "照片列"}
# What a picture column's header may mean: 整改前照片 or 整改后照片, each a ledger field.
PHOTO_MEANINGS = {FIELD_LABELS[name]: name for name in PHOTO_FIELDS}
SOURCES = ("上级测评", "模拟测评", "暗访", "日常督查", "专项督查", "人大政协视察", "群众举报", "媒体曝光", "自查")
# A word users add reads like the built-in words of its meaning when negated, and outranks them as a source.
_NEGATED_BY_MEANING = {PENDING: PENDING, IN_PROGRESS: PENDING, RECTIFIED: PENDING, CLOSED: RECTIFIED}
_USER_SOURCE_RANK = 9

_NEGATIONS = ("尚未", "暂未", "还未", "仍未", "没有", "未能", "未", "没", "不", "待", "需要", "需", "无法")
_PLANS = ("预计", "计划", "争取", "力争", "拟于", "拟", "将于", "预期")
_PARTS = ("部分", "基本", "初步", "大部分", "局部")
_PROGRESSIVES = ("正在", "正")
_SEPARATORS = re.compile(r"[\s\u3000，,。.、;；!！?？:：/／()（）\[\]【】<>《》\"'“”‘’-]+")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)[%％]")


@dataclass(frozen=True)
class StatusWord:
    meaning: str          # one of STATUSES
    negated: str          # the reading after a negation (未/待/不 …)
    whole: bool = False   # only when it is the whole cell (是, 否, √)


@dataclass
class OfficeWords:
    """The status and source words in force, and the picture-column headers users added; readings
    are cached per text (a morning's ledgers repeat a few dozen distinct words hundreds of thousands
    of times)."""
    statuses: dict[str, StatusWord]
    sources: dict[str, tuple[str, int]]          # word → (canonical source, rank)
    photo_headers: dict[str, str] = field(default_factory=dict)   # cleaned header → photo_before/photo_after
    _status_cache: dict = field(default_factory=dict, repr=False, compare=False)
    _source_cache: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._longest = max((len(word) for word in self.statuses), default=1)
        self.ledger_headers: HeaderVocabulary = ledger_headers(tuple(sorted(self.photo_headers.items())))

    def __getstate__(self) -> dict:  # worker processes get the words, not the caches
        return {"statuses": self.statuses, "sources": self.sources, "photo_headers": self.photo_headers}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["statuses"], state["sources"], state["photo_headers"])

    def status(self, raw: object) -> str | None:
        """One of 待整改/整改中/已整改/已销号, or None when the words say nothing known."""
        text = clean_text(raw).lower()
        if text not in self._status_cache:
            self._status_cache[text] = self._read_status(text)
        return self._status_cache[text]

    def _read_status(self, text: str) -> str | None:
        compact = _SEPARATORS.sub("|", text).strip("|")
        if not compact:
            return None
        word = self.statuses.get(compact)
        if word is not None:
            return word.meaning
        readings: list[tuple[str, bool]] = []   # (status, from a negation)
        modifier = ""
        position = 0
        while position < len(compact):
            if compact[position] == "|":
                modifier, position = "", position + 1
                continue
            found = self._word_at(compact, position)
            if found is None:
                marker = _marker_at(compact, position)
                if marker:
                    modifier = marker[0]
                    position += len(marker[1])
                else:
                    position += 1
                continue
            meaning = self.statuses[found]
            end = position + len(found)
            if modifier == "negation":
                readings.append((meaning.negated, True))
            elif modifier in ("plan", "part", "progressive") or compact[end:end + 1] == "中":
                readings.append((IN_PROGRESS if meaning.meaning in DONE_STATUSES else meaning.meaning, False))
            else:
                readings.append((meaning.meaning, False))
            modifier, position = "", end
        if not readings:
            return None
        status, negated = readings[-1]
        if negated and status == PENDING and any(reading == IN_PROGRESS for reading, _ in readings):
            status = IN_PROGRESS
        percent = _PERCENT.search(compact)
        if status in DONE_STATUSES and percent and float(percent.group(1)) < 100:
            status = IN_PROGRESS
        return status

    def _word_at(self, text: str, position: int) -> str | None:
        for length in range(min(self._longest, len(text) - position), 0, -1):
            candidate = text[position:position + length]
            word = self.statuses.get(candidate)
            if word is not None and not word.whole:
                return candidate
        return None

    def yes_no(self, raw: object) -> bool | None:
        """是否整改到位: True, False, or None when the words say neither."""
        status = self.status(raw)
        return None if status is None else status in DONE_STATUSES

    def source(self, raw: object) -> str | None:
        """The canonical 问题来源, what was written when no word is known, None when empty."""
        text = clean_text(raw)
        if not text:
            return None
        if text not in self._source_cache:
            compact = _SEPARATORS.sub("", text).lower()
            best: tuple[int, int, str] | None = None
            for word, (canonical, rank) in self.sources.items():
                if word in compact and (best is None or (rank, len(word)) > best[:2]):
                    best = (rank, len(word), canonical)
            self._source_cache[text] = best[2] if best else text
        return self._source_cache[text]


def _marker_at(text: str, position: int) -> tuple[str, str] | None:
    for kind, markers in (("negation", _NEGATIONS), ("plan", _PLANS), ("part", _PARTS),
                          ("progressive", _PROGRESSIVES)):
        for marker in markers:
            if text.startswith(marker, position):
                return kind, marker
    return None


@functools.lru_cache(maxsize=1)
def _default_rows() -> tuple[dict[str, StatusWord], dict[str, tuple[str, int]]]:
    with open(DEFAULTS_DIR / "statuses.csv", encoding="utf-8") as handle:
        statuses = {row["word"]: StatusWord(row["meaning"], row["negated"] or _NEGATED_BY_MEANING[row["meaning"]],
                                            row["whole"] == "1") for row in csv.DictReader(handle)}
    with open(DEFAULTS_DIR / "sources.csv", encoding="utf-8") as handle:
        sources = {row["word"]: (row["source"], int(row["rank"])) for row in csv.DictReader(handle)}
    return statuses, sources


def default_words() -> OfficeWords:
    """The built-in words only."""
    statuses, sources = _default_rows()
    return OfficeWords(dict(statuses), dict(sources))


def clean_word(word: str) -> str:
    """A word as it is looked up: lower case, no spaces or punctuation."""
    return _SEPARATORS.sub("", clean_text(word)).lower()


def users_words(con: duckdb.DuckDBPyConnection) -> tuple[tuple[str, str, str], ...]:
    """The words users added as (kind, word, meaning): small, and a cache key for previews."""
    return tuple(con.execute("SELECT kind, word, meaning FROM office_words ORDER BY kind, word").fetchall())


def office_words(con: duckdb.DuckDBPyConnection) -> OfficeWords:
    """The built-in words with the users' words over them."""
    return with_users_words(users_words(con))


def with_users_words(added: tuple[tuple[str, str, str], ...]) -> OfficeWords:
    """The built-in words with `added` (users_words) over them."""
    words = default_words()
    for kind, word, meaning in added:
        if kind == "status":
            words.statuses[word] = StatusWord(meaning, _NEGATED_BY_MEANING[meaning])
        elif kind == "photo":
            words.photo_headers[word] = PHOTO_MEANINGS[meaning]
        else:
            words.sources[word] = (meaning, _USER_SOURCE_RANK)
    return OfficeWords(words.statuses, words.sources, words.photo_headers)


def word_table(con: duckdb.DuckDBPyConnection, kind: str) -> pd.DataFrame:
    """Columns word, meaning, builtin: the users' words first, then the built-in ones by meaning."""
    _check_kind(kind)
    statuses, sources = _default_rows()
    builtin = ({word: entry.meaning for word, entry in statuses.items()} if kind == "status"
               else {word: source for word, (source, _) in sources.items()} if kind == "source"
               else {word: label for label, name in PHOTO_MEANINGS.items() for word in HEADER_SYNONYMS[name]})
    users = con.execute("SELECT word, meaning FROM office_words WHERE kind = ? ORDER BY meaning, word",
                        [kind]).fetchall()
    added = {word for word, _ in users}
    rows = [(word, meaning, False) for word, meaning in users]
    rows += sorted(((word, meaning, True) for word, meaning in builtin.items() if word not in added),
                   key=lambda row: (row[1], row[0]))
    import pandas as pd

    return pd.DataFrame(rows, columns=["word", "meaning", "builtin"])


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"没有“{kind}”这类词，可选：{'、'.join(KINDS)}。")


def meanings(kind: str) -> tuple[str, ...]:
    """What a word of `kind` may mean."""
    _check_kind(kind)
    return {"status": STATUSES, "source": SOURCES, "photo": tuple(PHOTO_MEANINGS)}[kind]


def _cleaned(kind: str, word: str) -> str:
    """A word as it is looked up; a header as headers are compared (vocab.clean_header)."""
    return clean_header(word).lower() if kind == "photo" else clean_word(word)


def add_word(con: duckdb.DuckDBPyConnection, kind: str, word: str, meaning: str, *, actor: str,
             now: dt.datetime | None = None) -> str:
    """Add (or change) a word of `kind` meaning `meaning`; imports from now on read it so, and
    a rebuild reads the stored ledgers again with it. Returns the cleaned word."""
    _check_kind(kind)
    cleaned = _cleaned(kind, word)
    if not cleaned:
        raise ValueError("词语不能为空。")
    if meaning not in meanings(kind):
        raise ValueError(f"“{meaning}”不是可选的{KINDS[kind]}，可选：{'、'.join(meanings(kind))}。")
    with transaction(con):
        con.execute("INSERT OR REPLACE INTO office_words VALUES (?, ?, ?)", [kind, cleaned, meaning])
        con.execute("INSERT INTO audit_log VALUES (?, ?, '修改词表', ?)",
                    [now or dt.datetime.now(), actor, f"{KINDS[kind]}：{cleaned} → {meaning}"])
    return cleaned


def remove_word(con: duckdb.DuckDBPyConnection, kind: str, word: str, *, actor: str,
                now: dt.datetime | None = None) -> None:
    """Take back a word users added (a built-in word then reads as before)."""
    _check_kind(kind)
    with transaction(con):
        con.execute("DELETE FROM office_words WHERE kind = ? AND word = ?", [kind, _cleaned(kind, word)])
        con.execute("INSERT INTO audit_log VALUES (?, ?, '修改词表', ?)",
                    [now or dt.datetime.now(), actor, f"{KINDS[kind]}：删除“{_cleaned(kind, word)}”"])


def unknown_sources(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Sources of current problems that no word names (kept as written). Columns source, problems."""
    return con.execute("""
        SELECT source, count(*) AS problems FROM problems
        WHERE source IS NOT NULL AND NOT list_contains($known, source)
        GROUP BY source ORDER BY problems DESC, source
    """, {"known": list(SOURCES)}).df()
