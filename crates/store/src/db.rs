//! The database handle: one SQL dialect (`$1` placeholders, TEXT dates, BIGINT ids) run through
//! sqlx's `Any` driver on SQLite or PostgreSQL, chosen from the URL; migrations per database,
//! embedded and run at start.
//!
//! Write transactions go through [`Store::write`]. On SQLite they are serialised by an in-process
//! gate (SQLite has one writer anyway) and begin `IMMEDIATE`, taking the write lock at once: a
//! deferred transaction that read before another connection's single-statement write (a login, a
//! sweep) could not write afterwards ("database is locked", SQLITE_BUSY_SNAPSHOT); on PostgreSQL they run concurrently and rely on row
//! locks, optimistic versions and unique constraints, so several erjian processes can share one
//! database.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyConnection, AnyPool, Executor, Transaction};
use std::str::FromStr;
use std::sync::Arc;
use tokio::sync::{Mutex, OwnedMutexGuard};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A cloneable handle to the database.
#[derive(Clone)]
pub struct Store {
    pub(crate) pool: AnyPool,
    backend: Backend,
    gate: Arc<Mutex<()>>,
    /// PostgreSQL: whether this process is listening for the others' public changes.
    listening: Arc<std::sync::atomic::AtomicBool>,
    /// The province profile's rules the store applies, shared by every clone of this handle, so
    /// the administrator's profile change reaches every request at once.
    rules: Arc<std::sync::RwLock<Rules>>,
    /// The public read path on SQLite (see [`crate::fastread`]).
    pub(crate) reader: Option<crate::fastread::Reader>,
    /// The working-day calendar for deadlines.
    pub(crate) calendar: Arc<erjian_domain::calendar::Calendar>,
    /// Moves after every committed change to any certificate's status (this process's writes).
    epoch: Arc<std::sync::atomic::AtomicU64>,
    /// The personal-data keys ([`crate::sealing`]), set once by [`Store::with_master_key`].
    pub(crate) sealer: Arc<std::sync::OnceLock<crate::sealing::Sealer>>,
}

impl Rules {
    /// Whether `profession` is registered here: the constructors always, others by the profile.
    pub fn registers(&self, profession: &str) -> bool {
        matches!(profession, "constructor2" | "temp_constructor2") || self.professions.contains(&profession)
    }
}

/// The province profile's rules that the store applies.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Rules {
    /// The signing order, stamped on new applications.
    pub signing_order: erjian_domain::workflow::SigningOrder,
    /// Who reviews, stamped on new applications.
    pub review_stages: erjian_domain::workflow::ReviewStages,
    /// Working days to decide.
    pub decision_days: erjian_domain::calendar::DecisionDays,
    /// The way of changing employer (see `ProvinceProfile::employer_change_by_reregistration`).
    pub employer_change_by_reregistration: bool,
    /// Enterprises may file for their people (湖南).
    pub enterprise_files_initial: bool,
    /// When a person must pass a real-name check.
    pub real_name: erjian_domain::province::RealNameRule,
    /// Authority and administrator accounts sign in with a second factor.
    pub staff_second_factor: bool,
    /// The province's one-character name (皖), in document numbers.
    pub abbr: &'static str,
    /// Enterprises may download and print their people's certificates (not in 甘肃).
    pub enterprise_prints_certificates: bool,
    /// A change takes effect at approval, without publicity (重庆).
    pub change_without_publicity: bool,
    /// An expired specialty is added again, not re-registered (甘肃).
    pub expired_specialty_by_addition: bool,
    /// A lost reissue is filed by the enterprise and reviewed (湖南).
    pub lost_reissue_reviewed: bool,
    /// A temporary constructor's transfer is filed by the new enterprise (湖南).
    pub temporary_transfer_by_new_employer: bool,
    /// The professions registered in the province.
    pub professions: &'static [&'static str],
    /// The wording of the form's opinions (甘肃's own).
    pub declarations: erjian_domain::province::Declarations,
    /// Which materials each kind of application asks for.
    pub materials: &'static [erjian_domain::materials::MaterialRule],
}

/// The channel on which a PostgreSQL write announces a public change to the other processes.
const PUBLIC_CHANNEL: &str = "erjian_public";

/// A write transaction; on SQLite it also holds the writer gate until dropped.
pub struct Tx {
    inner: Transaction<'static, Any>,
    _gate: Option<OwnedMutexGuard<()>>,
    epoch: Arc<std::sync::atomic::AtomicU64>,
    touches_public: bool,
    /// PostgreSQL: a public change is announced to the other processes (`NOTIFY`, delivered at
    /// commit), whose caches then drop their answers.
    notify: bool,
}

impl Tx {
    pub fn conn(&mut self) -> &mut AnyConnection {
        &mut self.inner
    }

    pub async fn commit(mut self) -> Result<(), sqlx::Error> {
        if self.touches_public && self.notify {
            sqlx::query(&format!("NOTIFY {PUBLIC_CHANNEL}")).execute(&mut *self.inner).await?;
        }
        self.inner.commit().await?;
        if self.touches_public {
            self.epoch.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
        Ok(())
    }

    /// Marks the transaction as changing what the public sees: its commit moves the epoch.
    pub(crate) fn touch_public(&mut self) {
        self.touches_public = true;
    }
}

impl Store {
    /// Connects to `sqlite://PATH` (created if missing) or `postgres://…`, and migrates.
    pub async fn connect(url: &str) -> anyhow::Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            anyhow::bail!("unsupported database URL (use sqlite:// or postgres://): {url}");
        };
        let url = match backend {
            Backend::Sqlite if !url.contains("mode=") => {
                format!("{url}{}mode=rwc", if url.contains('?') { '&' } else { '?' })
            }
            _ => url.to_owned(),
        };
        let options = AnyConnectOptions::from_str(&url)?;
        let pool = match backend {
            Backend::Sqlite => {
                AnyPoolOptions::new()
                    .max_connections(8)
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            conn.execute(
                                "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;",
                            )
                            .await?;
                            Ok(())
                        })
                    })
                    .connect_with(options)
                    .await?
            }
            Backend::Postgres => AnyPoolOptions::new().max_connections(16).connect_with(options).await?,
        };
        let reader = if backend == Backend::Sqlite { crate::fastread::Reader::for_url(&url) } else { None };
        let store = Store {
            pool,
            backend,
            gate: Arc::new(Mutex::new(())),
            rules: Default::default(),
            reader,
            epoch: Arc::new(std::sync::atomic::AtomicU64::new(0)),
            listening: Default::default(),
            calendar: Arc::new(erjian_domain::calendar::Calendar::default_cn()),
            sealer: Default::default(),
        };
        store.migrate().await?;
        store.chain_audit_backlog().await?;
        Ok(store)
    }

    async fn migrate(&self) -> anyhow::Result<()> {
        match self.backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite").run(&self.pool).await?,
            Backend::Postgres => sqlx::migrate!("./migrations/postgres").run(&self.pool).await?,
        }
        Ok(())
    }

    /// The province profile's rules that the store applies: signing order, review stages and
    /// decision deadlines.
    pub fn with_profile(self, profile: &erjian_domain::province::ProvinceProfile) -> Store {
        self.apply_profile(profile);
        self
    }

    /// Applies a province profile's rules to this store and every clone of it (from the next
    /// request on; applications already filed keep their signing order and review stages).
    pub fn apply_profile(&self, profile: &erjian_domain::province::ProvinceProfile) {
        *self.rules.write().unwrap_or_else(|e| e.into_inner()) = Rules {
            signing_order: profile.signing_order,
            review_stages: profile.review_stages,
            decision_days: erjian_domain::calendar::DecisionDays { full: profile.decision_days, change: profile.change_decision_days },
            employer_change_by_reregistration: profile.employer_change_by_reregistration,
            enterprise_files_initial: profile.enterprise_files_initial,
            real_name: profile.real_name,
            staff_second_factor: profile.staff_second_factor,
            abbr: profile.abbr,
            materials: profile.materials,
            enterprise_prints_certificates: profile.enterprise_prints_certificates,
            change_without_publicity: profile.change_without_publicity,
            declarations: profile.declarations,
            lost_reissue_reviewed: profile.lost_reissue_reviewed,
            temporary_transfer_by_new_employer: profile.temporary_transfer_by_new_employer,
            professions: profile.professions,
            expired_specialty_by_addition: profile.expired_specialty_by_addition,
        };
    }

    /// The rules now in force.
    pub(crate) fn rules(&self) -> Rules {
        *self.rules.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Uses another working-day calendar (the authority's updated file).
    pub fn with_calendar(mut self, calendar: erjian_domain::calendar::Calendar) -> Store {
        self.calendar = Arc::new(calendar);
        self
    }

    /// Sets who signs new application forms first (the province profile's rule).
    pub fn with_signing_order(self, order: erjian_domain::workflow::SigningOrder) -> Store {
        self.rules.write().unwrap_or_else(|e| e.into_inner()).signing_order = order;
        self
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Begins a write transaction (see the module notes).
    pub async fn write(&self) -> Result<Tx, sqlx::Error> {
        let gate = match self.backend {
            Backend::Sqlite => Some(self.gate.clone().lock_owned().await),
            Backend::Postgres => None,
        };
        // SQLite: the write lock is taken at BEGIN, so the snapshot is never older than another
        // connection's commit (a deferred transaction that read first could not write after one:
        // SQLITE_BUSY_SNAPSHOT, no busy wait); writes outside the gate wait on `busy_timeout`.
        let inner = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        let notify = self.backend == Backend::Postgres;
        Ok(Tx { inner, _gate: gate, epoch: self.epoch.clone(), touches_public: false, notify })
    }

    /// The public epoch: a cache of public answers is good while it stays the same. On SQLite
    /// one process owns the database; on PostgreSQL it is offered only while this process hears
    /// the others' changes ([`Store::listen_public`]), `None` otherwise.
    pub fn public_epoch(&self) -> Option<u64> {
        let cacheable = match self.backend {
            Backend::Sqlite => true,
            // Only while this process hears the others' changes (see `listen_public`).
            Backend::Postgres => self.listening.load(std::sync::atomic::Ordering::SeqCst),
        };
        cacheable.then(|| self.epoch.load(std::sync::atomic::Ordering::SeqCst))
    }

    /// PostgreSQL: listens for the public changes of every process sharing the database
    /// (`LISTEN erjian_public`; each write transaction that changes what the public sees sends
    /// `NOTIFY` at its commit) and moves this process's public epoch on each, so its cached
    /// public answers are dropped within the notification's delivery. While the listening
    /// connection is down nothing is cached ([`Store::public_epoch`] is `None`); on reconnecting
    /// the epoch moves once, for what may have been missed. Runs until the store is closed.
    pub fn listen_public(&self, url: &str) {
        if self.backend != Backend::Postgres {
            return;
        }
        let (url, epoch, listening, pool) = (url.to_owned(), self.epoch.clone(), self.listening.clone(), self.pool.clone());
        tokio::spawn(async move {
            use std::sync::atomic::Ordering::SeqCst;
            // Ends with the store (its pool closed).
            while !pool.is_closed() {
                match sqlx::postgres::PgListener::connect(&url).await {
                    Ok(mut l) => match l.listen(PUBLIC_CHANNEL).await {
                        Ok(()) => {
                            epoch.fetch_add(1, SeqCst);
                            listening.store(true, SeqCst);
                            while l.try_recv().await.map(|n| n.is_some()).unwrap_or(false) {
                                epoch.fetch_add(1, SeqCst);
                            }
                        }
                        Err(e) => tracing::warn!(error = %e, "LISTEN {PUBLIC_CHANNEL} failed"),
                    },
                    Err(e) => tracing::warn!(error = %e, "cannot open the notification connection"),
                }
                // Down: nothing cached until listening again.
                listening.store(false, SeqCst);
                epoch.fetch_add(1, SeqCst);
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            }
        });
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// True when the error is a unique-constraint violation, on either database.
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

/// Timestamps are stored as RFC 3339 UTC text, which sorts correctly on both databases.
pub fn ts(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

pub fn parse_ts(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&Utc))
}

/// A date stored as YYYY-MM-DD (a person's birth date, validity ends).
pub fn stored_date(s: &str) -> crate::Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| crate::Error::Other(anyhow::anyhow!("stored date {s:?}: {e}")))
}

/// Beijing time, in which dates (today, validity, deadlines) are counted.
pub fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("valid offset")
}

pub fn today(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&beijing()).date_naive()
}

/// A timestamp as shown to users: Beijing time to the minute.
pub fn show_ts(s: &str) -> String {
    parse_ts(s).map(|t| t.with_timezone(&beijing()).format("%Y-%m-%d %H:%M").to_string()).unwrap_or_else(|| s.to_owned())
}

/// Moves a named counter up to at least `value` (after bulk loads).
pub(crate) async fn raise_serial(conn: &mut AnyConnection, scope: &str, value: i64) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO serials (scope, value) VALUES ($1, $2) ON CONFLICT (scope) DO UPDATE SET value = CASE WHEN serials.value > $2 THEN serials.value ELSE $2 END")
        .bind(scope)
        .bind(value)
        .execute(conn)
        .await?;
    Ok(())
}
