//! The route listing, like `flask routes`.

use std::fmt;

use carafe_core::size;

use crate::app::App;
use crate::routing::route::MethodSet;

/// One route as [`App::routes`] lists it.
///
/// ```
/// use carafe_runtime::App;
///
/// for route in App::new().routes() {
///     println!("{:?} {} -> {} ({}:{})", route.methods, route.path, route.handler, route.file, route.line);
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteInfo {
    /// The methods it answers (HEAD and OPTIONS are also answered automatically).
    pub methods: MethodSet,
    /// The path as written in `#[route]`, under the blueprints' prefixes.
    pub path: String,
    /// The handler's module path and name.
    pub handler: String,
    /// Where the handler is defined; for the static files' route, the folder it serves.
    pub file: String,
    /// The line of the handler's name; 0 for the static files' route.
    pub line: u32,
    /// The statuses it answers, as its OpenAPI operations list them: those written in the
    /// handler's body, those its extractors, path and return type answer, and those of
    /// `responses(..)`; `[200]`, the default status, when none is known.
    pub statuses: Vec<u16>,
    /// The largest body it reads, when its attribute sets one over the app's
    /// (`body_limit = "64 MiB"`).
    pub body_limit: Option<u64>,
}

impl App {
    /// Every route, like `flask routes`.
    ///
    /// ```
    /// use carafe_runtime::App;
    ///
    /// assert!(App::new().routes().is_empty());
    /// ```
    pub fn routes(&self) -> Vec<RouteInfo> {
        self.mounted_routes()
            .iter()
            .map(|route| RouteInfo {
                methods: route.def.methods,
                path: route.path().to_owned(),
                handler: format!("{}::{}", route.def.module_path, route.def.handler_name),
                file: route.file().to_owned(),
                line: route.def.line,
                statuses: crate::app::openapi::statuses(&route.def),
                body_limit: route.def.body_limit,
            })
            .collect()
    }

    /// The route listing as a table, the way `cargo run --example NAME -- routes` prints it.
    ///
    /// ```
    /// use carafe_runtime::App;
    ///
    /// let table = App::new().routes_table().to_string();
    /// assert!(table.starts_with("Endpoint  Methods  Rule  Statuses  Source"));
    /// ```
    pub fn routes_table(&self) -> RoutesTable {
        RoutesTable(self.routes())
    }
}

/// The route listing formatted as a table; see [`App::routes_table`]. Display it to print it.
pub struct RoutesTable(Vec<RouteInfo>);

impl fmt::Display for RoutesTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A column for the routes' own body limits only when one sets one, as `flask routes`
        // shows domains only when an app has subdomains.
        let limits = self.0.iter().any(|route| route.body_limit.is_some());
        let rows: Vec<Vec<String>> = self
            .0
            .iter()
            .map(|route| {
                let methods: Vec<String> = route.methods.iter().map(|m| m.to_string()).collect();
                let statuses: Vec<String> = route.statuses.iter().map(u16::to_string).collect();
                let mut row = vec![
                    route.handler.clone(),
                    methods.join(", "),
                    route.path.clone(),
                    statuses.join(", "),
                ];
                if limits {
                    row.push(route.body_limit.map(size::show).unwrap_or_default());
                }
                // The static folder's route has a folder, not a line of source.
                row.push(match route.line {
                    0 => route.file.clone(),
                    line => format!("{}:{line}", route.file),
                });
                row
            })
            .collect();
        let mut header = vec!["Endpoint", "Methods", "Rule", "Statuses"];
        if limits {
            header.push("Body limit");
        }
        header.push("Source");
        let widths: Vec<usize> = (0..header.len())
            .map(|column| {
                rows.iter()
                    .map(|row| row[column].len())
                    .chain([header[column].len()])
                    .max()
                    .unwrap_or_default()
            })
            .collect();
        let write_row = |f: &mut fmt::Formatter<'_>, cells: &[&str]| {
            let line: Vec<String> = cells
                .iter()
                .zip(&widths)
                .map(|(cell, width)| format!("{cell:width$}"))
                .collect();
            writeln!(f, "{}", line.join("  ").trim_end())
        };
        write_row(f, &header)?;
        let rules: Vec<String> = widths.iter().map(|width| "-".repeat(*width)).collect();
        write_row(f, &rules.iter().map(String::as_str).collect::<Vec<_>>())?;
        for row in &rows {
            write_row(f, &row.iter().map(String::as_str).collect::<Vec<_>>())?;
        }
        Ok(())
    }
}
