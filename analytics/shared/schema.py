"""The database's tables, and bringing a file up to them: create what is missing, seed the default
dictionaries, and derive again what a file written by an earlier version lacks."""
from __future__ import annotations

from pathlib import Path

import duckdb

from analytics.shared.db import connect, default_db_path, transaction
from analytics.ledger.derive import LIFE_DAY_COLUMNS, derive_current_state
from analytics.shared.vocab import default_point_type_aliases

# Columns a problem carries, shared by the current state (problems) and its history (problem_versions).
PROBLEM_COLUMNS = """
    problem_key      VARCHAR NOT NULL,   -- ledger unit + sheet + 序号, or a content key without 序号
    ledger_unit      VARCHAR NOT NULL,   -- the unit whose ledger this row came from
    unit             VARCHAR NOT NULL,   -- 责任单位 of the row (the ledger's unit when the row names none)
    district         VARCHAR,            -- 所属区县/街道 where the ledger has it
    sheet            VARCHAR NOT NULL,   -- sheet name ('' for CSV)
    source_row       INTEGER NOT NULL,   -- 1-based row number in the sheet, for messages
    serial_no        VARCHAR,
    point_type       VARCHAR,            -- canonical 点位类型, or the cleaned raw name when unknown
    point_type_raw   VARCHAR,
    point_type_known BOOLEAN NOT NULL,
    point_name       VARCHAR,
    description      VARCHAR,
    category         VARCHAR,            -- canonical 问题类别 where known, else what the unit wrote
    category_raw     VARCHAR,
    source           VARCHAR,            -- 模拟测评/日常督查/暗访/群众举报…
    found_date       DATE,
    deadline         DATE,
    status           VARCHAR NOT NULL,   -- one of STATUSES
    status_raw       VARCHAR,
    rectified_date   DATE,
    closed_date      DATE,
    remark           VARCHAR,
    raw_found        VARCHAR,            -- raw text of the date cells, kept when unreadable
    raw_deadline     VARCHAR,
    raw_rectified    VARCHAR,
    raw_closed       VARCHAR,
    flags            VARCHAR[] NOT NULL, -- reasons in Chinese why a field could not be read
    shop             VARCHAR             -- 商户名称 of a 门前四包 row (last: added to older files at the end)
"""

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS imports (
    import_id      INTEGER PRIMARY KEY,
    file_name      VARCHAR NOT NULL,
    sha256         VARCHAR NOT NULL,
    ledger_unit    VARCHAR NOT NULL,
    unit_source    VARCHAR NOT NULL,     -- 责任单位列 / 标题行 / 文件名 / 指定
    unit_option    VARCHAR,              -- the --unit given, replayed by rebuild
    report_date    DATE,                 -- 截至/填报日期 stated in the ledger
    effective_date DATE NOT NULL,        -- report_date, else the import date: orders a unit's ledgers
    imported_at    TIMESTAMP NOT NULL,
    imported_by    VARCHAR NOT NULL,
    rows_read      INTEGER NOT NULL,
    rows_new       INTEGER NOT NULL,
    rows_updated   INTEGER NOT NULL,
    rows_flagged   INTEGER NOT NULL,
    archive_path   VARCHAR NOT NULL,     -- relative to the archive folder
    undone_at      TIMESTAMP,
    undone_by      VARCHAR
);

-- The status history: every problem as each import saw it.
CREATE TABLE IF NOT EXISTS problem_versions (
    import_id INTEGER NOT NULL,
    {PROBLEM_COLUMNS}
);

-- The current state: per problem, the version from its unit's newest ledger that is not undone.
CREATE TABLE IF NOT EXISTS problems (
    {PROBLEM_COLUMNS},
    first_import_id INTEGER NOT NULL,
    last_import_id  INTEGER NOT NULL,
    first_seen      DATE NOT NULL,       -- effective date of the first ledger that had it
    as_of           DATE NOT NULL,       -- effective date of the ledger this state comes from
    -- Its life as four days, placed at import from its dates and history (analytics/ledger/derive.py):
    -- the first day it existed, was at least 整改中, at least 已整改, and 已销号 (NULL: not yet).
    start_day       DATE NOT NULL,
    progress_day    DATE,
    done_day        DATE,
    closed_day      DATE,
    reopened_day    DATE,                -- 返工: reported open again after done; its life starts again then
    repeated_day    DATE,                -- 反复: a later round's re-test lost points on the task's standard again
    -- The first day the history showed 整改中 / 已整改 / 已销号 since then, as the ledgers say it (derive.py)
    progress_seen   DATE,
    done_seen       DATE,
    closed_seen     DATE
);

-- Which earlier problem each later one may be a rebound of (analytics/ledger/derive.py), kept with `problems`.
CREATE TABLE IF NOT EXISTS rebound_links (
    later_key   VARCHAR NOT NULL,
    earlier_key VARCHAR NOT NULL,        -- the one of its 点位 and problem rectified most recently before
    unit        VARCHAR NOT NULL,        -- 责任单位 of both
    days_after  INTEGER NOT NULL         -- from the earlier one's rectification to the later one's finding
);

CREATE TABLE IF NOT EXISTS point_type_aliases (
    alias     VARCHAR PRIMARY KEY,       -- cleaned name as units write it
    canonical VARCHAR NOT NULL,
    builtin   BOOLEAN NOT NULL DEFAULT FALSE
);

-- Status and source words and picture-column headers users added (analytics/shared/office_words.py);
-- the built-in ones are defaults.
CREATE TABLE IF NOT EXISTS office_words (
    kind    VARCHAR NOT NULL,            -- status | source | photo
    word    VARCHAR NOT NULL,
    meaning VARCHAR NOT NULL,
    PRIMARY KEY (kind, word)
);

CREATE TABLE IF NOT EXISTS units (
    name     VARCHAR PRIMARY KEY,
    kind     VARCHAR,                    -- 街道/镇, 社区, 市直部门…
    district VARCHAR,
    active   BOOLEAN NOT NULL DEFAULT TRUE   -- expected to report
);

CREATE TABLE IF NOT EXISTS settings (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

-- Official holiday arrangements beyond what chinese-calendar knows (e.g. a year it does not cover yet).
CREATE TABLE IF NOT EXISTS calendar_overrides (
    day        DATE PRIMARY KEY,
    is_workday BOOLEAN NOT NULL,
    note       VARCHAR
);

CREATE TABLE IF NOT EXISTS audit_log (
    logged_at TIMESTAMP NOT NULL,
    actor     VARCHAR NOT NULL,
    action    VARCHAR NOT NULL,
    detail    VARCHAR
);

-- 模拟测评 score sheets (analytics/scores/store.py): a table of their own, never problems.
CREATE TABLE IF NOT EXISTS score_imports (
    import_id    INTEGER PRIMARY KEY,    -- numbered with the ledger imports (one sequence, one undo)
    file_name    VARCHAR NOT NULL,
    sha256       VARCHAR NOT NULL,
    shape        VARCHAR NOT NULL,       -- 扣分明细 / 点位得分表 / 得分汇总
    rounds       VARCHAR[] NOT NULL,
    imported_at  TIMESTAMP NOT NULL,
    imported_by  VARCHAR NOT NULL,
    points       INTEGER NOT NULL,
    deductions   INTEGER NOT NULL,
    rows_flagged INTEGER NOT NULL,       -- 点位 carrying a flag (theirs or a deduction's)
    archive_path VARCHAR NOT NULL,
    undone_at    TIMESTAMP,
    undone_by    VARCHAR
);

-- One row per 点位 scored in a round, as the sheet gives it.
CREATE TABLE IF NOT EXISTS score_points (
    import_id        INTEGER NOT NULL,
    point_no         INTEGER NOT NULL,   -- within the import
    round_name       VARCHAR NOT NULL,   -- 第三轮, or the 测评日期 when no round is named
    round_no         INTEGER,
    eval_date        DATE,
    sheet            VARCHAR NOT NULL,
    source_row       INTEGER NOT NULL,
    point_type       VARCHAR,
    point_type_raw   VARCHAR,
    point_type_known BOOLEAN NOT NULL,
    point_name       VARCHAR NOT NULL,
    unit             VARCHAR,
    stated_score     DOUBLE,             -- the 得分 the sheet states
    deducted         DOUBLE,             -- points deducted in all; NULL: not scored
    flags            VARCHAR[] NOT NULL
);

CREATE TABLE IF NOT EXISTS score_deductions (
    import_id     INTEGER NOT NULL,
    point_no      INTEGER NOT NULL,
    sheet         VARCHAR NOT NULL,
    source_row    INTEGER NOT NULL,
    source_column VARCHAR NOT NULL,
    item          VARCHAR,               -- 测评项目
    standard      VARCHAR,               -- 测评标准 (测评内容)
    max_points    DOUBLE,                -- 分值
    deduction     DOUBLE NOT NULL,
    reason        VARCHAR,               -- 存在问题 (扣分原因)
    raw_deduction VARCHAR,
    flags         VARCHAR[] NOT NULL
);

-- Tasks (交办) from the deductions of a score sheet (analytics/accountability/tasks.py): one row per
-- deduction above 0. Each is a problem: its versions are in problem_versions under the score import's
-- id, dated by task_imports.effective_date (the round's 测评日期), undone with the score import.
CREATE TABLE IF NOT EXISTS round_tasks (
    import_id     INTEGER NOT NULL,
    task_key      VARCHAR NOT NULL,      -- 交办编号: the problem_key, the same whenever the round is read
    round_name    VARCHAR NOT NULL,
    eval_date     DATE,
    point_type    VARCHAR,
    point_name    VARCHAR,
    point_key     VARCHAR NOT NULL,      -- 点位名称 without spaces and punctuation (as for 反弹)
    unit          VARCHAR,
    standard      VARCHAR,
    standard_key  VARCHAR NOT NULL,      -- 测评标准 without spaces and punctuation
    said_key      VARCHAR NOT NULL,      -- the description without spaces and punctuation
    deduction     DOUBLE NOT NULL
);

-- The day a score import's task versions take effect (what imports.effective_date is to a ledger).
CREATE TABLE IF NOT EXISTS task_imports (
    import_id      INTEGER PRIMARY KEY,
    effective_date DATE NOT NULL
);

-- A unit's own ledger row taken for a task (copied without its 交办编号): the row's own key, so the
-- same row in the unit's next ledger is the task again even when its wording moved.
CREATE TABLE IF NOT EXISTS task_copies (
    import_id  INTEGER NOT NULL,         -- the ledger import where the row was first taken for the task
    copied_key VARCHAR NOT NULL,
    task_key   VARCHAR NOT NULL
);

-- Readiness sheets (analytics/readiness/store.py): the 测评体系分解表, 网上申报 status sheets and
-- 问卷调查 results, each import numbered with the ledgers'.
CREATE TABLE IF NOT EXISTS readiness_imports (
    import_id      INTEGER PRIMARY KEY,    -- numbered with the ledger and score imports (one sequence, one undo)
    kind           VARCHAR NOT NULL,     -- catalogue | materials | survey
    file_name      VARCHAR NOT NULL,
    sha256         VARCHAR NOT NULL,
    report_date    DATE,                 -- 截至/填报日期 in a title or the file name
    effective_date DATE NOT NULL,        -- report_date, else the import date: orders the imports of a kind
    imported_at    TIMESTAMP NOT NULL,
    imported_by    VARCHAR NOT NULL,
    rows_read      INTEGER NOT NULL,
    rows_flagged   INTEGER NOT NULL,
    summary        VARCHAR NOT NULL,     -- what the import said, e.g. 网上申报材料报送情况：20项，已通过12项…
    archive_path   VARCHAR NOT NULL,     -- relative to the archive folder, as for ledgers
    undone_at      TIMESTAMP,
    undone_by      VARCHAR
);

-- Photo evidence (analytics/photos/store.py): each picture's bytes stored once by content under the data
-- folder (photos/ab/<sha256>.<ext>, thumbnails in photos/thumbs/), described here.
CREATE TABLE IF NOT EXISTS photo_files (
    sha256   VARCHAR PRIMARY KEY,       -- of the bytes as they were in the ledger or the upload
    ext      VARCHAR NOT NULL,
    bytes    BIGINT NOT NULL,
    width    INTEGER NOT NULL,
    height   INTEGER NOT NULL,
    taken_at TIMESTAMP,                 -- EXIF DateTimeOriginal, as the camera wrote it
    phash    VARCHAR,                   -- perceptual hash (hex), for near-identical photos; NULL until
                                        -- decoded after its import (analytics/photos/describe.py)
    unreadable VARCHAR                  -- why decoding it failed (Chinese): then it is refused wherever used
);

-- Where each import put a picture: on a problem as 整改前 (before) or 整改后 (after), in order; a
-- picture on no problem row (problem_key NULL) or refused (sha256 of a missing part NULL) is kept too.
CREATE TABLE IF NOT EXISTS photo_refs (
    import_id   INTEGER NOT NULL,
    problem_key VARCHAR,
    kind        VARCHAR,                -- before | after; NULL: over the header, outside the rows or columns
    position    INTEGER NOT NULL,       -- 1, 2 … among the problem's pictures of this kind in this import
    sheet       VARCHAR NOT NULL,
    cell        VARCHAR NOT NULL,       -- where it was (E7), for messages
    form        VARCHAR NOT NULL,       -- floating | wps | embed | upload
    sha256      VARCHAR,
    refused     VARCHAR,                -- why it could not be used (Chinese); NULL: stored in photo_files
    note        VARCHAR                 -- why it is on no problem
);

-- 整改后 photos attached to a problem from a phone (the 督查 list, a unit's view), recorded like an
-- import (who, when) and undone like one; the bytes are in photo_files like a ledger's.
CREATE TABLE IF NOT EXISTS photo_uploads (
    upload_id   INTEGER NOT NULL,
    problem_key VARCHAR NOT NULL,
    position    INTEGER NOT NULL,
    sha256      VARCHAR NOT NULL,
    uploaded_at TIMESTAMP NOT NULL,
    uploaded_by VARCHAR NOT NULL,
    undone_at   TIMESTAMP,
    undone_by   VARCHAR
);

-- The picture columns each ledger import had (无佐证 is told only where a ledger had a 整改后 column).
CREATE TABLE IF NOT EXISTS photo_columns (
    import_id INTEGER PRIMARY KEY,
    kinds     VARCHAR[] NOT NULL
);

-- 测评体系分解表: one row per 测评标准.
CREATE TABLE IF NOT EXISTS assessment_standards (
    import_id    INTEGER NOT NULL,
    sheet        VARCHAR NOT NULL,
    source_row   INTEGER NOT NULL,
    item         VARCHAR,                -- 测评项目
    content      VARCHAR,                -- 测评内容
    standard     VARCHAR,                -- 测评标准 as written
    standard_key VARCHAR NOT NULL,       -- without spaces and punctuation, to match the 网上申报 sheet
    points       DOUBLE NOT NULL,        -- 分值
    method       VARCHAR,                -- 实地考察 / 网上申报 / 问卷调查
    method_raw   VARCHAR,
    unit         VARCHAR,                -- 牵头单位 (the first 责任单位)
    flags        VARCHAR[] NOT NULL
);

-- 网上申报 status: one row per 测评标准 (and unit).
CREATE TABLE IF NOT EXISTS online_materials (
    import_id    INTEGER NOT NULL,
    sheet        VARCHAR NOT NULL,
    source_row   INTEGER NOT NULL,
    standard     VARCHAR,
    standard_key VARCHAR NOT NULL,
    unit         VARCHAR,
    status       VARCHAR NOT NULL,       -- 已通过 / 待审核 / 被退回 / 未报送
    status_raw   VARCHAR,
    reason       VARCHAR,                -- 退回原因
    deadline     DATE,                   -- 截止时间
    raw_deadline VARCHAR,
    points       DOUBLE,                 -- 分值 when the sheet has it (used when no catalogue is imported)
    flags        VARCHAR[] NOT NULL
);

-- Group chats the 晨报 is pushed to (analytics/push/store.py). The addresses and secrets are not here but in
-- a file beside the database (store.secrets_path), so backups, published copies and exports never carry them.
CREATE TABLE IF NOT EXISTS push_channels (
    name       VARCHAR PRIMARY KEY,
    kind       VARCHAR NOT NULL,         -- wecom | dingtalk | webhook
    url_masked VARCHAR NOT NULL,         -- the address with its key/access_token masked, for display
    robot      VARCHAR NOT NULL,         -- digest of the address: channels of one robot share its rate limit
    at_time    VARCHAR NOT NULL,         -- HH:MM, China time (Asia/Shanghai)
    days       VARCHAR NOT NULL,         -- all | workdays | sprint
    mentions   VARCHAR[] NOT NULL,       -- @ 企业微信 userids / 钉钉 phone numbers
    chart      BOOLEAN NOT NULL,         -- the key chart as a picture (企业微信)
    attach     VARCHAR,                  -- pptx | docx as a file message (企业微信)
    added_at   TIMESTAMP NOT NULL,
    added_by   VARCHAR NOT NULL
);

-- One row per channel, China day and copy: the intent is recorded before the first message goes and each
-- answer after it, so a second scheduler, a restart or a crash never sends the day's copy twice.
CREATE TABLE IF NOT EXISTS push_sends (
    channel     VARCHAR NOT NULL,
    day         DATE NOT NULL,
    copy        INTEGER NOT NULL,        -- 1; 2, 3… only when sent again on purpose (--again)
    state       VARCHAR NOT NULL,        -- sending | sent | failed | unknown
    parts       VARCHAR[] NOT NULL,      -- the messages in order: 晨报文字, 图表, 文件
    parts_sent  INTEGER NOT NULL,
    pending     INTEGER,                 -- the part on its way: sent, or about to be, its answer not recorded
    started_at  TIMESTAMP NOT NULL,      -- UTC
    finished_at TIMESTAMP,
    errcode     INTEGER,
    reason      VARCHAR,                 -- the failure in Chinese, secrets masked
    cut         VARCHAR,                 -- sections the robot's length limit left out
    actor       VARCHAR NOT NULL,
    PRIMARY KEY (channel, day, copy)
);

-- Every message a robot received, to keep each robot under its 20 a minute across processes.
CREATE TABLE IF NOT EXISTS push_messages (
    robot   VARCHAR NOT NULL,
    sent_at TIMESTAMP NOT NULL           -- UTC
);

-- 问卷调查 results: one row per round, area and indicator.
CREATE TABLE IF NOT EXISTS survey_results (
    import_id  INTEGER NOT NULL,
    sheet      VARCHAR NOT NULL,
    source_row INTEGER NOT NULL,
    round      VARCHAR NOT NULL,         -- 第二轮 …
    round_no   INTEGER,                  -- 2; NULL for a round named otherwise
    area       VARCHAR NOT NULL,         -- 全市 when the sheet has no area
    indicator  VARCHAR NOT NULL,         -- 知晓率 / 支持率 / 参与率 / 满意度
    rate       DOUBLE,                   -- a fraction; NULL when unreadable (flagged)
    raw        VARCHAR,
    flags      VARCHAR[] NOT NULL
);

-- The lists of the responsibility map (analytics/registry/store.py): 点位清单, 联点清单, 包保一览表 and the
-- 门前四包 register, each import numbered with the ledgers'; a list sent again replaces its kind.
CREATE TABLE IF NOT EXISTS registry_imports (
    import_id      INTEGER PRIMARY KEY,
    kind           VARCHAR NOT NULL,     -- points | leaders | blocks | shops
    file_name      VARCHAR NOT NULL,
    sha256         VARCHAR NOT NULL,
    report_date    DATE,
    effective_date DATE NOT NULL,        -- report_date, else the import date: orders the imports of a kind
    imported_at    TIMESTAMP NOT NULL,
    imported_by    VARCHAR NOT NULL,
    rows_read      INTEGER NOT NULL,
    rows_flagged   INTEGER NOT NULL,
    summary        VARCHAR NOT NULL,     -- e.g. 联点清单：6位领导、20个联系点位
    archive_path   VARCHAR NOT NULL,
    undone_at      TIMESTAMP,
    undone_by      VARCHAR
);

-- One row per 点位 (点位清单), leader and point (联点清单), 楼栋 (包保一览表) or shop (门前四包).
CREATE TABLE IF NOT EXISTS registry_rows (
    import_id   INTEGER NOT NULL,
    sheet       VARCHAR NOT NULL,
    source_row  INTEGER NOT NULL,
    name        VARCHAR NOT NULL,        -- the 点位, the leader's 联系点位, the 小区/片区, the shop
    point_type  VARCHAR,
    district    VARCHAR,
    street      VARCHAR,
    community   VARCHAR,
    unit        VARCHAR,                 -- 责任单位 / 包保单位 / 包联单位
    person      VARCHAR,                 -- 责任人 / 包保责任人 / 负责人
    phone       VARCHAR,
    grid        VARCHAR,                 -- 网格
    leader      VARCHAR,                 -- 联点领导
    title       VARCHAR,                 -- 职务
    building    VARCHAR,                 -- 楼栋
    address     VARCHAR,                 -- 地址 / 路段
    pledge_date DATE,                    -- 责任书签订日期
    raw_pledge  VARCHAR,
    flags       VARCHAR[] NOT NULL
);

-- Names a ledger or score sheet writes for a registry 点位, added on the settings page.
CREATE TABLE IF NOT EXISTS point_aliases (
    alias      VARCHAR PRIMARY KEY,      -- as written
    point_name VARCHAR NOT NULL          -- the registry's name
);
"""



def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create missing tables and seed the default dictionaries (idempotent). What a file from an
    earlier version lacks of the derived tables (the life days in `problems`, `rebound_links`) is
    derived again from the history, which holds all they know."""
    stored = {}
    for table, column in con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = current_database() "
            "AND schema_name = 'main' AND table_name IN ('problems', 'problem_versions', 'rebound_links', "
            "'photo_files')"
    ).fetchall():
        stored.setdefault(table, set()).add(column)
    if "photo_files" in stored and "unreadable" not in stored["photo_files"]:
        # pictures came to be decoded after their import: the hash may wait, and a picture may fail then
        with transaction(con):
            con.execute("ALTER TABLE photo_files ALTER COLUMN phash DROP NOT NULL")
            con.execute("ALTER TABLE photo_files ADD COLUMN unreadable VARCHAR")
    days_missing = "problems" in stored and not stored["problems"].issuperset(LIFE_DAY_COLUMNS)
    links_missing = "problems" in stored and "rebound_links" not in stored
    # the shop column came later: the history gets it (empty), the current state is derived again
    shop_missing = "problem_versions" in stored and "shop" not in stored["problem_versions"]
    if days_missing or links_missing or shop_missing:
        with transaction(con):
            if shop_missing:
                con.execute("ALTER TABLE problem_versions ADD COLUMN shop VARCHAR")
            if days_missing or shop_missing:
                con.execute("DROP TABLE problems")
            con.execute(SCHEMA)
            derive_current_state(con)
    con.execute(SCHEMA)
    if con.execute("SELECT count(*) FROM point_type_aliases").fetchone()[0] == 0:
        con.executemany(
            "INSERT INTO point_type_aliases VALUES (?, ?, TRUE)",
            list(default_point_type_aliases().items()))


def init_db(db_path: Path | str | None = None) -> Path:
    """Make sure the database file exists with its schema; returns its path."""
    path = Path(db_path) if db_path is not None else default_db_path()
    with connect(path) as con:
        ensure_schema(con)
    return path
