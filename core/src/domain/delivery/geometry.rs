//! Map points and area boundaries: a boundary is a GeoJSON-style (multi)polygon, and whether a
//! point is inside counts the boundary itself as inside.
//!
//! The geometry is planar in degrees (longitude as x, latitude as y): exact enough for city-sized
//! areas away from the poles and the antimeridian, which is where the business delivers.
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

    /// Whether the point lies in this boundary: inside the outer ring of one of its polygons and not
    /// strictly inside one of that polygon's holes. A point on the boundary (an edge or a vertex of an
    /// outer ring, or an edge of a hole) counts as inside, so an address drawn on the line between two
    /// areas is always served by one of them.
    ///
    /// A point within about 1e-12 of the coordinates' magnitude (well under a millimetre) of an edge
    /// counts as on it, so rounding in a stored midpoint or a parsed coordinate does not push it out.
    /// Coordinates that are not numbers (NaN) are never inside.
    #[must_use]
    pub fn contains(&self, p: MapPoint) -> bool {
        self.polygons.iter().any(|polygon| polygon_contains(polygon, p))
    }
}

/// Relative tolerance of the on-edge test: a point counts as on an edge when its distance from the
/// edge's line is at most this times the largest coordinate magnitude involved (at least 1 degree).
const ON_EDGE_TOLERANCE: f64 = 1e-12;

/// Outer ring first, then holes; see [`AreaBoundary::contains`].
fn polygon_contains(rings: &[Vec<MapPoint>], p: MapPoint) -> bool {
    let Some((outer, holes)) = rings.split_first() else {
        return false;
    };
    if on_ring(outer, p) {
        return true;
    }
    if !strictly_inside_ring(outer, p) {
        return false;
    }
    // A hole's edge belongs to the area; only its interior is cut out.
    holes.iter().all(|hole| on_ring(hole, p) || !strictly_inside_ring(hole, p))
}

/// The ring's edges as `(from, to)` pairs, including the closing edge from the last point back to
/// the first (a zero-length edge when the ring is closed, as stored rings are).
fn edges(ring: &[MapPoint]) -> impl Iterator<Item = (MapPoint, MapPoint)> + '_ {
    ring.iter().zip(ring.iter().cycle().skip(1)).map(|(a, b)| (*a, *b))
}

fn on_ring(ring: &[MapPoint], p: MapPoint) -> bool {
    edges(ring).any(|(a, b)| on_segment(a, b, p))
}

/// Twice the signed area of the triangle `a, b, p`: positive when `p` is left of `a -> b`.
fn cross(a: MapPoint, b: MapPoint, p: MapPoint) -> f64 {
    (b.longitude - a.longitude) * (p.latitude - a.latitude) - (b.latitude - a.latitude) * (p.longitude - a.longitude)
}

/// Whether `p` lies on the segment `a..=b`, ends included: collinear within the tolerance and inside
/// the segment's bounding box widened by the same tolerance.
fn on_segment(a: MapPoint, b: MapPoint, p: MapPoint) -> bool {
    let magnitude =
        [a.longitude, a.latitude, b.longitude, b.latitude, p.longitude, p.latitude].into_iter().fold(1.0_f64, |m, c| m.max(c.abs()));
    let tolerance = ON_EDGE_TOLERANCE * magnitude;
    let within = |c: f64, e1: f64, e2: f64| c >= e1.min(e2) - tolerance && c <= e1.max(e2) + tolerance;
    if !within(p.longitude, a.longitude, b.longitude) || !within(p.latitude, a.latitude, b.latitude) {
        return false;
    }
    // |cross| is the segment's length times the point's distance from its line.
    let length = (b.longitude - a.longitude).hypot(b.latitude - a.latitude);
    cross(a, b, p).abs() <= tolerance * length
}

/// Even-odd ray casting towards +longitude, deciding each crossing by the sign of the cross product
/// rather than by dividing, with half-open edges (lower end included, upper excluded) so a ray
/// through a vertex counts once. Points on the ring are answered by [`on_ring`] before this is asked.
fn strictly_inside_ring(ring: &[MapPoint], p: MapPoint) -> bool {
    let mut inside = false;
    for (a, b) in edges(ring) {
        let upward = a.latitude <= p.latitude && b.latitude > p.latitude;
        let downward = b.latitude <= p.latitude && a.latitude > p.latitude;
        // The edge crosses the ray when it passes on p's right: p is left of an upward edge, or
        // right of a downward one.
        if (upward && cross(a, b, p) > 0.0) || (downward && cross(a, b, p) < 0.0) {
            inside = !inside;
        }
    }
    inside
}

#[cfg(test)]
mod tests;
