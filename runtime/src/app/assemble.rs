//! Start-up assembly: what an [`App`] becomes when it serves. Its static folder, templates
//! and OpenAPI document's route are added, every extractor's needs are checked, the router is
//! built, and the pipeline's optional stages are chosen, or every problem is told at once.

use std::path::PathBuf;
use std::sync::Arc;

use crate::app::dispatch::{Shared, Stages};
use crate::app::service::Served;
use crate::app::{App, Folders};
use crate::extract::app_data::Needs;
use crate::routing::pace;
use crate::routing::route::Mounted;
use crate::routing::url::RouteUrls;

impl Folders {
    /// The folder set with a setting, if one was; else `name` beside the app's source or in
    /// the nearest folder above it in its package (as `render_template!` finds templates),
    /// else in the working folder, if one exists.
    #[cfg_attr(
        not(any(feature = "static-files", feature = "templates")),
        allow(dead_code)
    )]
    fn find(&self, set: Option<&PathBuf>, name: &str) -> Result<Option<PathBuf>, String> {
        if let Some(folder) = set {
            return if folder.is_dir() {
                Ok(Some(folder.clone()))
            } else {
                Err(format!(
                    "the {name} folder {} does not exist (from the working folder {})",
                    folder.display(),
                    std::env::current_dir()
                        .map_or_else(|_| "?".to_owned(), |dir| dir.display().to_string())
                ))
            };
        }
        let near_source = self
            .source
            .as_ref()
            .and_then(|source| carafe_core::folder::find(source, name));
        Ok(near_source.or_else(|| Some(PathBuf::from(name)).filter(|folder| folder.is_dir())))
    }
}

impl App {
    /// The app, built and wrapped in its layers, or what stops it from starting.
    pub(crate) fn into_served(self) -> Result<Served, String> {
        // The deployment's settings win over the code's.
        let mut app = self.with_environment();
        let layers = std::mem::take(&mut app.layers);
        Ok(Served::new(app.into_shared()?, layers))
    }

    /// The shared form of the app every connection uses, or what stops it from starting: two
    /// handlers on one route, or a handler that needs what the app lacks.
    pub(crate) fn into_shared(mut self) -> Result<Arc<Shared>, String> {
        #[cfg(feature = "static-files")]
        self.add_static_route();
        #[cfg(feature = "templates")]
        self.add_templates();
        self.add_openapi_route();
        let has_templates = self.has_templates();
        let lacking: Vec<String> = self
            .router
            .routes()
            .flat_map(|route| {
                let mut needs = Needs::new(&self.data);
                (route.def.needs)(&mut needs);
                needs.into_lacking().into_iter().map(|lack| {
                    format!(
                        "handler `{}` ({}:{}) {lack}",
                        route.def.handler_name,
                        route.file(),
                        route.def.line
                    )
                })
            })
            .collect();
        let websockets = self.router.routes().any(|route| route.def.websocket);
        self.data
            .insert_state(RouteUrls::new(self.router.mounted()));
        self.problems.extend(lacking);
        // Built even after a problem, so that every problem is told at once.
        let router = self
            .router
            .build()
            .map_err(|problem| self.problems.push(problem));
        let blocking_ticks = pace::ticks(self.data.config.blocking_threshold);
        pace::watch();
        self.data.config.blocking_ticks = blocking_ticks;
        match router {
            Ok(router) if self.problems.is_empty() => Ok(Arc::new(Shared {
                router,
                debug: self.data.config.debug,
                blocking_ticks,
                stages: Stages {
                    before_hooks: self.scopes.any(|hooks| !hooks.before.is_empty()),
                    after_hooks: self.scopes.any(|hooks| !hooks.after.is_empty()),
                    teardown_hooks: self.scopes.any(|hooks| !hooks.teardown.is_empty()),
                    sessions: self.data.session_key.is_some(),
                    request_line: has_templates,
                    websockets,
                },
                data: Arc::new(self.data),
                scopes: self.scopes,
            })),
            _ => Err(self.problems.join("\n")),
        }
    }

    /// The route serving the static folder at `<static_url_path>/<path:filename>`, and the
    /// folder, if the app has one.
    #[cfg(feature = "static-files")]
    fn static_route(&self) -> Result<Option<(Mounted, PathBuf)>, String> {
        let folders = &self.folders;
        folders
            .static_route
            .get_or_init(|| {
                let folder = folders.find(folders.static_folder.as_ref(), "static")?;
                Ok(folder.map(|folder| {
                    let route =
                        crate::app::static_files::static_route(&folders.static_url_path, &folder);
                    (route, folder)
                }))
            })
            .clone()
    }

    /// Serves the static folder, if the app has one.
    #[cfg(feature = "static-files")]
    fn add_static_route(&mut self) {
        match self.static_route() {
            Ok(Some((route, folder))) => {
                self.data
                    .insert_state(crate::app::static_files::StaticFolder(folder));
                self.insert(route);
            }
            Ok(None) => {}
            Err(problem) => self.problems.push(problem),
        }
    }

    /// Serves the OpenAPI document, if the app asked for it, made now from the other routes.
    fn add_openapi_route(&mut self) {
        let Some(path) = self.openapi_path.take() else {
            return;
        };
        match crate::app::openapi::document_route(&path) {
            Ok(route) => {
                let document = self.openapi().to_string();
                self.data
                    .insert_state(crate::app::openapi::DocumentJson(document.into()));
                self.insert(route);
            }
            Err(problem) => self.problems.push(problem),
        }
    }

    /// Reads templates from the app's templates folder, if it has one.
    #[cfg(feature = "templates")]
    fn add_templates(&mut self) {
        let folders = &self.folders;
        match folders.find(folders.template_folder.as_ref(), "templates") {
            Ok(Some(folder)) => {
                match crate::app::template::Templates::new(
                    folder,
                    self.router.mounted(),
                    self.data.config.debug,
                ) {
                    Ok(templates) => self.data.insert_state(templates),
                    Err(problems) => self.problems.extend(problems),
                }
            }
            Ok(None) => {}
            Err(problem) => self.problems.push(problem),
        }
    }

    fn has_templates(&self) -> bool {
        #[cfg(feature = "templates")]
        return self
            .data
            .state::<crate::app::template::Templates>()
            .is_some();
        #[cfg(not(feature = "templates"))]
        false
    }

    /// Every route as mounted, in registration order, and the static folder's last.
    pub(crate) fn mounted_routes(&self) -> Vec<Mounted> {
        #[cfg(feature = "static-files")]
        let static_route = self.static_route().ok().flatten().map(|(route, _)| route);
        #[cfg(not(feature = "static-files"))]
        let static_route = None;
        self.router.routes().cloned().chain(static_route).collect()
    }
}
