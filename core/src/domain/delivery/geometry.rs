//! Map points and area boundaries: a boundary is a GeoJSON-style (multi)polygon, and whether a
//! point is inside counts the boundary itself as inside.
use super::super::validation::Invalid;

/// A point on the map in WGS 84 degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MapPoint {
    pub latitude: f64,
    pub longitude: f64,
}

/// One or more polygons, each an outer ring followed by its holes; every ring closed (first point
/// equals last) with at least four points.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaBoundary {
    polygons: Vec<Vec<Vec<MapPoint>>>,
}

impl AreaBoundary {
    /// The polygons as stored: `[polygon][ring][point]`, outer ring first.
    #[must_use]
    pub fn polygons(&self) -> &[Vec<Vec<MapPoint>>] {
        &self.polygons
    }

    /// A boundary read back from storage, trusted as validated when it was written.
    #[must_use]
    pub fn from_stored(polygons: Vec<Vec<Vec<MapPoint>>>) -> Self {
        Self { polygons }
    }

    /// Validates and builds a boundary.
    ///
    /// # Errors
    /// `Invalid` (field `boundary`) for no polygon, an unclosed or too short ring, or coordinates
    /// off the globe.
    pub fn parse(polygons: Vec<Vec<Vec<MapPoint>>>) -> Result<Self, Invalid> {
        let hint =
            "Send a GeoJSON Polygon or MultiPolygon in [longitude, latitude] degrees whose rings are closed (first point repeated last).";
        if polygons.is_empty() || polygons.iter().any(Vec::is_empty) {
            return Err(Invalid::field("boundary", "has no polygon", hint));
        }
        for ring in polygons.iter().flatten() {
            if ring.len() < 4 {
                return Err(Invalid::field("boundary", "has a ring with fewer than 4 points", hint));
            }
            if ring.first() != ring.last() {
                return Err(Invalid::field("boundary", "has a ring that is not closed", hint));
            }
            if ring.iter().any(|p| !(-90.0..=90.0).contains(&p.latitude) || !(-180.0..=180.0).contains(&p.longitude)) {
                return Err(Invalid::field("boundary", "has a point off the globe", hint));
            }
        }
        Ok(Self { polygons })
    }
}
