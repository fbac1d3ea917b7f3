//! Where the product catalog comes from: `CATALOG_FILE` when set, else the embedded one.

use balto_advisor::catalog::{Catalog, CatalogError};
use std::path::Path;
use std::sync::Arc;

/// Loads and validates the catalog an admin configured, or the embedded catalog.
pub fn load(catalog_file: Option<&Path>) -> Result<Arc<Catalog>, CatalogError> {
    let catalog = match catalog_file {
        Some(path) => Catalog::from_path(path)?,
        None => Catalog::embedded(),
    };
    Ok(Arc::new(catalog))
}
