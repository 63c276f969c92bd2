//! Where an app's `templates/` and `static/` folders are, found from a source file the same
//! way by `render_template!` (the file that calls it) and by the app (the file that calls
//! `App::new()`), so that the two read the same templates.

use std::path::{Path, PathBuf};

/// The folder named `name` (`templates`, `static`) for code in `source_folder`: in that
/// folder, or in the nearest folder above it, up to the package's own (the first with a
/// `Cargo.toml`), as Flask looks beside the app's module.
///
/// ```
/// use std::path::Path;
///
/// // carafe-core's own package has no `templates/` folder.
/// let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
/// assert_eq!(carafe_core::folder::find(&here, "templates"), None);
/// assert_eq!(
///     carafe_core::folder::find(&here, "src"),
///     Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("src"))
/// );
/// ```
pub fn find(source_folder: &Path, name: &str) -> Option<PathBuf> {
    let mut folder = Some(source_folder);
    while let Some(at) = folder {
        let candidate = at.join(name);
        if candidate.is_dir() {
            return Some(candidate);
        }
        if at.join("Cargo.toml").is_file() {
            return None;
        }
        folder = at.parent();
    }
    None
}
