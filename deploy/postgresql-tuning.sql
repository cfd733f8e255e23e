-- PostgreSQL settings for Gonghui's production server: 2 cores, 24 GiB RAM, SSD, the database
-- alone on the machine beside gunicorn. Apply as a superuser, then restart PostgreSQL
-- (shared_buffers and wal_buffers take effect only at start):
--
--     psql -U postgres -f deploy/postgresql-tuning.sql
--     pg_ctlcluster 15 main restart        # or: systemctl restart postgresql
--
-- What each buys is measured in docs/performance.md (bench/run.py records the settings it ran
-- with). Durability is untouched: fsync and synchronous_commit stay on — the warmth fund's ledger
-- and mutual-aid payments must survive a crash. Scale the memory figures with the machine.

-- Memory: a quarter of RAM for PostgreSQL's own cache holds the member table's hot indexes at
-- 10 M members (the hashed ID-number and phone indexes, the name and pinyin ranges); the stock
-- 128 MB holds a twentieth of them, and every random insert or look-up then waits on the kernel.
ALTER SYSTEM SET shared_buffers = '6GB';
ALTER SYSTEM SET effective_cache_size = '16GB';
ALTER SYSTEM SET work_mem = '16MB';
ALTER SYSTEM SET maintenance_work_mem = '1GB';

-- WAL: bulk loads (seed_city, imports of 100,000 rows) write gigabytes; with the stock 1 GB a
-- checkpoint every few seconds rewrites each touched index page in full again.
ALTER SYSTEM SET max_wal_size = '16GB';
ALTER SYSTEM SET min_wal_size = '1GB';
ALTER SYSTEM SET checkpoint_timeout = '15min';
ALTER SYSTEM SET wal_buffers = '64MB';
ALTER SYSTEM SET wal_compression = 'lz4';

-- Planner: SSD storage, and no JIT — Gonghui's statements are short OLTP reads and writes and
-- the dashboard's sums over per-unit tallies; JIT compilation costs more than it saves on them.
ALTER SYSTEM SET random_page_cost = 1.1;
ALTER SYSTEM SET effective_io_concurrency = 200;
ALTER SYSTEM SET jit = off;

-- Two cores: one parallel helper per query at most, so one heavy report cannot take both.
ALTER SYSTEM SET max_parallel_workers_per_gather = 1;
