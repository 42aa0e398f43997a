//! The configuration in force, and how a reload replaces it.
//!
//! A [`Live`] is one configuration, whole and immutable: the App defaults,
//! the policies supplied by name, and the routes of every App started from
//! the `Cors` value, resolved under them. Workers share it; a reload builds
//! the next one off the request path and swaps the pointer. Each request
//! takes the `Live` in force when it arrives and keeps it until its response
//! is finished, so no answer mixes two configurations.

use crate::builder::{BuildError, CorsBuilder};
use crate::register::Registration;
use crate::report::{Report, ReportNote, RouteError, StartupError};
use crate::resolve::{resolve, Config, Defaults, ResolvedRoute, RuntimeNamed};
use arc_swap::ArcSwap;
use cors_core::{Origins, Vary};
use std::collections::BTreeSet;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

/// What a reload replaces: the App defaults and the policies supplied by
/// name.
pub(crate) struct Policies {
    pub defaults: Option<Defaults>,
    pub named: Vec<RuntimeNamed>,
}

impl Policies {
    pub fn config(&self) -> Config<'_> {
        Config {
            defaults: self.defaults.as_ref(),
            named: &self.named,
        }
    }
}

/// One configuration: the policies and every App's routes under them.
pub(crate) struct Live {
    /// Counts the configurations of one `Cors` value: 0 when built, one more
    /// for each App that registers its routes and for each reload.
    pub epoch: u64,
    /// How many reloads made it: 0 for the configuration built.
    pub reloads: u64,
    pub policies: Arc<Policies>,
    /// Per App started, in the slot the registry gave it (a stopped App's
    /// slot holds no routes, and is reused): its routes.
    pub sets: Vec<Arc<SetPolicies>>,
}

/// The routes of one App, resolved under one configuration, in
/// registration order, with what follows from them.
pub(crate) struct SetPolicies {
    pub routes: Vec<ResolvedRoute>,
    pub notes: Vec<ReportNote>,
    /// `Vary` for requests without `Origin`: `Origin` unless every policy
    /// of the App allows any origin.
    pub no_origin_vary: Vary,
    /// Whether some policy of the App allows any origin.
    pub any_origin: bool,
}

impl SetPolicies {
    fn new(
        routes: Vec<ResolvedRoute>,
        notes: Vec<ReportNote>,
        defaults: Option<&Defaults>,
    ) -> Self {
        let policies = || {
            routes
                .iter()
                .filter_map(|r| r.policy.as_deref())
                .chain(defaults.map(|d| &*d.entry))
        };
        let varies = policies().any(|e| e.policy().varies_by_origin());
        let any_origin = policies().any(|e| matches!(e.policy().origin_rule(), Origins::Any));
        SetPolicies {
            no_origin_vary: if varies { Vary::ORIGIN } else { Vary::NONE },
            any_origin,
            routes,
            notes,
        }
    }
}

/// One App's registrations, kept to resolve them again on each reload.
struct RouteSet {
    /// The marker of its first registration (unique in the process): the
    /// same group registered twice (by two Apps built together on one
    /// thread) is one set. `None` for an App without registrations.
    key: Option<u64>,
    registrations: Vec<Registration>,
    /// Alive while a worker that serves these routes (or may, until its
    /// first request tells) holds the token. A dead set is no longer
    /// resolved, so a stopped App's routes neither refuse a reload nor cost
    /// it, and its slot is reused.
    alive: Weak<()>,
    /// When it was added: the report is of the App that started last.
    order: u64,
    /// Its full patterns and the notes on them, once a worker built its
    /// table: for the report.
    table: Option<FullPatterns>,
}

impl RouteSet {
    fn is_alive(&self) -> bool {
        self.alive.strong_count() > 0
    }
}

/// Each route's full pattern and whether it was confirmed, with the notes
/// on those that were not.
type FullPatterns = (Vec<(String, bool)>, Vec<ReportNote>);

/// The registry of route sets, under the lock of [`Current`].
#[derive(Default)]
struct Registry {
    sets: Vec<RouteSet>,
    /// The `order` of the next set.
    added: u64,
}

impl Registry {
    /// The report of the alive set added last, under `live`.
    fn report(&self, live: &Live) -> Report {
        let newest = self
            .sets
            .iter()
            .enumerate()
            .filter(|(_, set)| set.is_alive())
            .max_by_key(|(_, set)| set.order);
        self.report_of(newest.map(|(at, _)| at), live)
    }

    /// The report of set `index`, under `live`.
    fn report_of(&self, index: Option<usize>, live: &Live) -> Report {
        let defaults = live.policies.defaults.as_ref();
        let found = index.and_then(|at| Some((live.sets.get(at)?, self.sets.get(at)?)));
        match found {
            Some((resolved, set)) => {
                let mut notes = resolved.notes.clone();
                let full = set.table.as_ref().map(|(full, table_notes)| {
                    notes.extend(table_notes.iter().cloned());
                    full.as_slice()
                });
                Report::new(&resolved.routes, full, defaults, notes)
            }
            None => Report::new(&[], None, defaults, Vec::new()),
        }
    }

    /// Frees the registrations of dead sets; `resolved` gets an empty set
    /// in their slots.
    fn sweep(&mut self, resolved: &mut [Arc<SetPolicies>]) {
        for (set, slot) in self.sets.iter_mut().zip(resolved) {
            if set.is_alive() {
                continue;
            }
            if set.key.is_some() || !set.registrations.is_empty() || set.table.is_some() {
                *set = RouteSet {
                    key: None,
                    registrations: Vec::new(),
                    alive: Weak::new(),
                    order: 0,
                    table: None,
                };
            }
            if !slot.routes.is_empty() || !slot.notes.is_empty() {
                *slot = empty_set();
            }
        }
    }
}

/// What a dead set's slot holds.
fn empty_set() -> Arc<SetPolicies> {
    Arc::new(SetPolicies::new(Vec::new(), Vec::new(), None))
}

/// The configuration in force, shared by every worker of every App built
/// from one `Cors` value.
pub(crate) struct Current {
    live: ArcSwap<Live>,
    /// The epoch of `live`: what a request reads (one atomic load) to know
    /// whether its worker's copy is still current.
    epoch: AtomicU64,
    /// Every App's routes. Its lock also orders the changes of `live`, and
    /// the reports recorded.
    registry: Mutex<Registry>,
    /// Configurations replaced, until no worker or request holds them:
    /// each change of `live` frees those only this list holds. So a
    /// worker letting go of its copy, or a request finishing, never frees a
    /// configuration (thousands of origins, maybe) on the request path.
    retired: Mutex<Vec<Arc<Live>>>,
}

/// An App's route set in [`Live::sets`], and the token that keeps it alive.
pub(crate) struct Registered {
    pub index: usize,
    /// Held, never read: the set is alive while a holder is.
    #[allow(dead_code)]
    pub token: Arc<()>,
}

impl Current {
    pub fn new(policies: Policies) -> Self {
        Current {
            live: ArcSwap::from_pointee(Live {
                epoch: 0,
                reloads: 0,
                policies: Arc::new(policies),
                sets: Vec::new(),
            }),
            epoch: AtomicU64::new(0),
            registry: Mutex::new(Registry::default()),
            retired: Mutex::new(Vec::new()),
        }
    }

    /// The epoch in force.
    #[inline]
    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    /// The configuration in force.
    pub fn load(&self) -> Arc<Live> {
        self.live.load_full()
    }

    fn lock(&self) -> MutexGuard<'_, Registry> {
        // The data is replaced whole under the lock: a panic elsewhere
        // leaves nothing half-written.
        self.registry
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Makes `live` the configuration in force. Called under the lock of
    /// `registry`.
    fn publish(&self, live: Live) -> Arc<Live> {
        let epoch = live.epoch;
        let live = Arc::new(live);
        let old = self.live.swap(live.clone());
        self.epoch.store(epoch, Ordering::Release);
        // Once swapped out, no one can take a new reference to `old`: a
        // count of one means only this list holds it.
        let mut retired = self
            .retired
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        retired.retain(|version| Arc::strong_count(version) > 1);
        retired.push(old);
        drop(retired);
        live
    }

    /// Adds an App's routes, resolved under the configuration in force,
    /// and gives `record` the report then in force; a group already added
    /// (and alive) is not added again. Returns its index in [`Live::sets`]
    /// with its token, or every problem the routes have.
    pub fn add_set(
        &self,
        registrations: Vec<Registration>,
        record: impl FnOnce(Report),
    ) -> Result<Registered, StartupError> {
        let mut registry = self.lock();
        let key = registrations.first().map(|r| r.marker);
        let known = registry.sets.iter().enumerate().find_map(|(index, set)| {
            let token = set.alive.upgrade()?;
            (key.is_some() && set.key == key).then_some(Registered { index, token })
        });
        if let Some(known) = known {
            return Ok(known);
        }
        let live = self.live.load_full();
        let (routes, notes) = resolve(&registrations, live.policies.config())
            .map_err(|problems| StartupError { problems })?;
        let set = Arc::new(SetPolicies::new(
            routes,
            notes,
            live.policies.defaults.as_ref(),
        ));
        let mut all = live.sets.clone();
        registry.sweep(&mut all);
        let token = Arc::new(());
        let order = registry.added;
        registry.added += 1;
        let route_set = RouteSet {
            key,
            registrations,
            alive: Arc::downgrade(&token),
            order,
            table: None,
        };
        // The slot of a stopped App is reused: the registry stays as large
        // as the most Apps alive at once.
        let index = match registry.sets.iter().position(|set| !set.is_alive()) {
            Some(free) => {
                registry.sets[free] = route_set;
                all[free] = set;
                free
            }
            None => {
                registry.sets.push(route_set);
                all.push(set);
                registry.sets.len() - 1
            }
        };
        let live = self.publish(Live {
            epoch: live.epoch + 1,
            reloads: live.reloads,
            policies: live.policies.clone(),
            sets: all,
        });
        record(registry.report(&live));
        Ok(Registered { index, token })
    }

    /// Keeps an App's full patterns for the reports; gives `own` that
    /// App's report, and `record` the report then in force.
    pub fn set_table(
        &self,
        index: usize,
        full: &[(String, bool)],
        notes: &[ReportNote],
        own: impl FnOnce(&Report),
        record: impl FnOnce(Report),
    ) {
        let mut registry = self.lock();
        if let Some(set) = registry.sets.get_mut(index) {
            set.table
                .get_or_insert_with(|| (full.to_vec(), notes.to_vec()));
        }
        let live = self.live.load_full();
        own(&registry.report_of(Some(index), &live));
        record(registry.report(&live));
    }

    /// Gives `record` the report in force.
    pub fn report(&self, record: impl FnOnce(Report)) {
        let registry = self.lock();
        record(registry.report(&self.live.load_full()));
    }

    /// Resolves every App's routes under `policies`; on success makes that
    /// the configuration in force, gives `record` the report of the App
    /// that started last, and returns what changed.
    fn replace(
        &self,
        policies: Policies,
        record: impl FnOnce(Report),
    ) -> Result<Option<Changes>, ReloadError> {
        let mut registry = self.lock();
        let old = self.live.load_full();
        let mut sets = Vec::with_capacity(registry.sets.len());
        let mut problems: Vec<RouteError> = Vec::new();
        for set in &registry.sets {
            if !set.is_alive() {
                // Kept in place: the sets are found by their index.
                sets.push(empty_set());
                continue;
            }
            match resolve(&set.registrations, policies.config()) {
                Ok((routes, notes)) => sets.push(Arc::new(SetPolicies::new(
                    routes,
                    notes,
                    policies.defaults.as_ref(),
                ))),
                // Each worker has its copy of an App's routes: one problem,
                // said once.
                Err(found) => {
                    for problem in found {
                        if !problems.contains(&problem) {
                            problems.push(problem);
                        }
                    }
                }
            }
        }
        if !problems.is_empty() {
            return Err(ReloadError::Routes(StartupError { problems }));
        }
        registry.sweep(&mut sets);
        let changes = log::log_enabled!(target: "cors_actix", log::Level::Info)
            .then(|| Changes::between(&old, &policies, &sets));
        let live = self.publish(Live {
            epoch: old.epoch + 1,
            reloads: old.reloads + 1,
            policies: Arc::new(policies),
            sets,
        });
        record(registry.report(&live));
        Ok(changes.map(|changes| changes.at(live.reloads)))
    }
}

/// What a reload changed, for its log line.
struct Changes {
    reload: u64,
    /// Per policy (`None`: the App defaults): origins added, removed.
    origins: Vec<(Option<String>, Vec<String>, Vec<String>)>,
    routes_changed: usize,
    routes: usize,
}

impl Changes {
    fn between(old: &Live, new: &Policies, sets: &[Arc<SetPolicies>]) -> Changes {
        let origins_of = |defaults: Option<&Defaults>| {
            defaults
                .and_then(|d| d.spec.origins.clone())
                .unwrap_or_default()
        };
        let mut origins = vec![(
            None,
            origins_of(old.policies.defaults.as_ref()),
            origins_of(new.defaults.as_ref()),
        )];
        for named in &new.named {
            let before = old
                .policies
                .named
                .iter()
                .find(|n| n.name == named.name)
                .and_then(|n| n.spec.origins.clone());
            let after = named.spec.origins.clone();
            origins.push((
                Some(named.name.clone()),
                before.unwrap_or_default(),
                after.unwrap_or_default(),
            ));
        }
        for named in &old.policies.named {
            if !new.named.iter().any(|n| n.name == named.name) {
                let before = named.spec.origins.clone().unwrap_or_default();
                origins.push((Some(named.name.clone()), before, Vec::new()));
            }
        }
        let origins = origins
            .into_iter()
            .map(|(name, before, after)| {
                // Thousands of tenants' origins: sets, not lists.
                let before: BTreeSet<String> = before.into_iter().collect();
                let after: BTreeSet<String> = after.into_iter().collect();
                let added = after.difference(&before).cloned().collect();
                let removed = before.difference(&after).cloned().collect();
                (name, added, removed)
            })
            .collect();
        // Every worker has its copy of an App's routes: a route is counted
        // once, by its handler, route attribute and pattern.
        let mut seen: Vec<(&str, u16, &str)> = Vec::new();
        let mut routes_changed = 0;
        for (index, set) in sets.iter().enumerate() {
            let before = old.sets.get(index);
            for (at, route) in set.routes.iter().enumerate() {
                let key = (&*route.handler, route.def, &*route.pattern);
                if seen.contains(&key) {
                    continue;
                }
                seen.push(key);
                let was = before.and_then(|b| b.routes.get(at));
                let policy = |r: &ResolvedRoute| r.policy.as_ref().map(|p| p.policy().clone());
                if was.map(policy) != Some(policy(route)) {
                    routes_changed += 1;
                }
            }
        }
        Changes {
            reload: 0,
            origins,
            routes_changed,
            routes: seen.len(),
        }
    }

    fn at(self, reload: u64) -> Changes {
        Changes { reload, ..self }
    }
}

impl fmt::Display for Changes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CORS reload {} in force:", self.reload)?;
        let mut unchanged = true;
        for (name, added, removed) in &self.origins {
            if added.is_empty() && removed.is_empty() {
                continue;
            }
            unchanged = false;
            match name {
                None => write!(f, " App defaults")?,
                Some(name) => write!(f, " policy \"{name}\"")?,
            }
            for (sign, list) in [('+', added), ('-', removed)] {
                if list.is_empty() {
                    continue;
                }
                let shown: Vec<&str> = list.iter().take(5).map(String::as_str).collect();
                write!(f, " {sign}{} ({}", list.len(), shown.join(", "))?;
                if list.len() > shown.len() {
                    write!(f, ", ...")?;
                }
                write!(f, ")")?;
            }
            write!(f, ";")?;
        }
        if unchanged {
            write!(f, " no origin added or removed;")?;
        }
        write!(
            f,
            " {} of {} routes changed policy",
            self.routes_changed, self.routes
        )
    }
}

/// Replaces the App defaults and the policies supplied by name of a
/// running [`Cors`](crate::Cors), in every worker of every App built from
/// it. From [`CorsBuilder::build_reloadable`].
///
/// ```
/// use actix_web::{get, test, App, HttpResponse};
/// use cors_actix::{cors, Cors};
///
/// #[cors]
/// #[get("/data")]
/// async fn data() -> HttpResponse {
///     HttpResponse::Ok().finish()
/// }
///
/// # #[actix_web::main]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let (cors, handle) = Cors::builder()
///     .origins(["https://a.example"])
///     .build_reloadable()?;
/// let app = test::init_service(App::new().wrap(cors).service(data)).await;
/// let from = |origin| test::TestRequest::get().uri("/data").insert_header(("Origin", origin));
///
/// let response = test::call_service(&app, from("https://b.example").to_request()).await;
/// assert!(response.headers().get("access-control-allow-origin").is_none());
///
/// handle.reload(Cors::builder().origins(["https://a.example", "https://b.example"]))?;
/// let response = test::call_service(&app, from("https://b.example").to_request()).await;
/// assert_eq!(response.headers().get("access-control-allow-origin").unwrap(), "https://b.example");
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct CorsHandle {
    pub(crate) inner: Arc<crate::middleware::Inner>,
}

impl fmt::Debug for CorsHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CorsHandle")
            .field("epoch", &self.inner.current.epoch())
            .finish()
    }
}

impl CorsHandle {
    /// Makes `builder`'s App defaults and named policies the configuration
    /// of every App built from this `Cors`, in every worker, or changes
    /// nothing.
    ///
    /// It runs what start-up runs: `builder` is validated, then the routes
    /// of every App already started are merged with it and validated again.
    /// Requests that arrive after it returns get the new configuration;
    /// requests in flight finish under the one they started with. An App
    /// started later resolves its routes under the configuration in force
    /// then.
    ///
    /// The settings that are not policy, [`strict`](CorsBuilder::strict),
    /// [`debug_header`](CorsBuilder::debug_header) and
    /// [`refusal_summary_every`](CorsBuilder::refusal_summary_every), stay
    /// as built: `builder` may leave them unset, or give them the value
    /// they were built with; another value is refused.
    ///
    /// The work, origins validated and routes resolved, is done here, on
    /// the caller's thread; requests only see the pointer change. Logs one
    /// `info` line (target `cors_actix`) with what changed.
    ///
    /// # Errors
    ///
    /// [`ReloadError`]: the builder's problems, the problems of the routes
    /// under the new configuration, or a setting that cannot change.
    ///
    /// ```
    /// use cors_actix::{Cors, ReloadError};
    ///
    /// let (_cors, handle) = Cors::builder().origins(["https://a.example"]).build_reloadable().unwrap();
    /// let error = handle.reload(Cors::builder().origins(["*"]).credentials(true)).unwrap_err();
    /// assert!(matches!(error, ReloadError::Build(_)));
    /// ```
    pub fn reload(&self, builder: CorsBuilder) -> Result<(), ReloadError> {
        let inner = &self.inner;
        let parts = builder.into_parts().map_err(ReloadError::Build)?;
        let fixed = [
            ("strict", parts.strict.is_none_or(|on| on == inner.strict)),
            (
                "debug_header",
                parts.debug_header.is_none_or(|on| on == inner.debug_header),
            ),
            (
                "refusal_summary_every",
                parts
                    .refusal_summary
                    .is_none_or(|every| every == inner.refusals.every()),
            ),
        ];
        if let Some((setting, _)) = fixed.iter().find(|(_, same)| !same) {
            return Err(ReloadError::Fixed { setting });
        }
        let policies = Policies {
            defaults: parts.defaults.as_ref().map(Defaults::new),
            named: parts.named,
        };
        let changes = inner
            .current
            .replace(policies, |report| inner.record(Ok(report)))?;
        if let Some(changes) = changes {
            log::info!(target: "cors_actix", "{changes}");
        }
        Ok(())
    }

    /// The effective policy of every route under the configuration in
    /// force, for the App that started last: what [`Cors::report`](crate::Cors::report) gives.
    ///
    /// ```
    /// let (_cors, handle) = cors_actix::Cors::builder()
    ///     .origins(["https://a.example"])
    ///     .build_reloadable()
    ///     .unwrap();
    /// // No App started yet: no report.
    /// assert!(handle.report().is_none());
    /// handle.reload(cors_actix::Cors::builder().origins(["https://b.example"])).unwrap();
    /// let report = handle.report().unwrap();
    /// assert_eq!(report.defaults.unwrap().to_string().contains("https://b.example"), true);
    /// ```
    pub fn report(&self) -> Option<Report> {
        crate::Cors {
            inner: self.inner.clone(),
        }
        .report()
    }
}

/// Why [`CorsHandle::reload`] changed nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReloadError {
    /// The builder's problems, as [`CorsBuilder::build`] reports them.
    Build(BuildError),
    /// Routes that the new configuration breaks (a route that inherits the
    /// new origins and sets `credentials`, say), each with its fix.
    Routes(StartupError),
    /// The builder sets a setting that is fixed when the `Cors` is built
    /// to another value.
    Fixed {
        /// `strict`, `debug_header` or `refusal_summary_every`.
        setting: &'static str,
    },
}

impl fmt::Display for ReloadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CORS reload refused, the configuration in force is unchanged: ")?;
        match self {
            ReloadError::Build(error) => write!(f, "{error}"),
            ReloadError::Routes(error) => write!(f, "{error}"),
            ReloadError::Fixed { setting } => write!(
                f,
                "`{setting}` is fixed when the `Cors` is built; give it the value it was built with"
            ),
        }
    }
}

impl std::error::Error for ReloadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ReloadError::Build(error) => Some(error),
            ReloadError::Routes(error) => Some(error),
            ReloadError::Fixed { .. } => None,
        }
    }
}
