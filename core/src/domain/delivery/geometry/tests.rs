//! Point-in-polygon examples (squares, a concave U, holes, several polygons, Abu Dhabi) and
//! properties over random convex polygons and rectangles.
use proptest::prelude::*;

use super::*;

/// A point from (longitude, latitude), the order GeoJSON uses.
fn at(longitude: f64, latitude: f64) -> MapPoint {
    MapPoint { latitude, longitude }
}

fn ring(points: &[(f64, f64)]) -> Vec<MapPoint> {
    points.iter().map(|&(lon, lat)| at(lon, lat)).collect()
}

fn polygon(rings: &[&[(f64, f64)]]) -> AreaBoundary {
    AreaBoundary::parse(vec![rings.iter().map(|r| ring(r)).collect()]).unwrap()
}

const SQUARE: &[(f64, f64)] = &[(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0), (0.0, 0.0)];

/// A U open at the top: arms x 0..2 and 4..6, the notch x 2..4 from y 2 up.
const U_SHAPE: &[(f64, f64)] =
    &[(0.0, 0.0), (6.0, 0.0), (6.0, 6.0), (4.0, 6.0), (4.0, 2.0), (2.0, 2.0), (2.0, 6.0), (0.0, 6.0), (0.0, 0.0)];

#[test]
fn a_square_contains_its_interior_and_nothing_beyond() {
    let square = polygon(&[SQUARE]);
    assert!(square.contains(at(5.0, 5.0)));
    assert!(square.contains(at(0.001, 9.999)));
    assert!(!square.contains(at(-1.0, 5.0)));
    assert!(!square.contains(at(11.0, 5.0)));
    assert!(!square.contains(at(5.0, -0.5)));
    assert!(!square.contains(at(5.0, 20.0)));
}

#[test]
fn every_vertex_and_edge_of_a_square_counts_as_inside() {
    let square = polygon(&[SQUARE]);
    for &(lon, lat) in SQUARE {
        assert!(square.contains(at(lon, lat)), "vertex ({lon}, {lat})");
    }
    for p in [at(5.0, 0.0), at(10.0, 3.3), at(7.1, 10.0), at(0.0, 0.1)] {
        assert!(square.contains(p), "{p:?}");
    }
}

#[test]
fn points_just_outside_an_edge_or_a_corner_are_outside() {
    let square = polygon(&[SQUARE]);
    for p in [at(-1e-9, 5.0), at(10.0 + 1e-9, 5.0), at(5.0, -1e-9), at(5.0, 10.0 + 1e-9), at(10.0 + 1e-9, 10.0 + 1e-9)] {
        assert!(!square.contains(p), "{p:?}");
    }
}

#[test]
fn points_on_the_line_of_an_edge_but_past_its_end_are_outside() {
    let square = polygon(&[SQUARE]);
    assert!(!square.contains(at(-1.0, 0.0)));
    assert!(!square.contains(at(11.0, 10.0)));
    assert!(!square.contains(at(0.0, 10.5)));
}

#[test]
fn a_concave_area_excludes_its_notch_and_includes_its_arms() {
    let u = polygon(&[U_SHAPE]);
    assert!(u.contains(at(1.0, 4.0)));
    assert!(u.contains(at(5.0, 4.0)));
    assert!(u.contains(at(3.0, 1.0)));
    assert!(!u.contains(at(3.0, 4.0)));
    assert!(!u.contains(at(3.0, 2.0 + 1e-9)));
    // On the line through the arms' tops, where the ray passes through four vertices.
    assert!(!u.contains(at(3.0, 6.0)));
    assert!(!u.contains(at(-1.0, 6.0)));
    assert!(!u.contains(at(7.0, 6.0)));
    // On the line of the notch's floor, where the ray passes through its two corners.
    assert!(u.contains(at(1.0, 2.0)));
    assert!(!u.contains(at(-1.0, 2.0)));
}

#[test]
fn the_edges_and_corners_of_a_concave_notch_count_as_inside() {
    let u = polygon(&[U_SHAPE]);
    for p in [at(3.0, 2.0), at(2.0, 4.0), at(4.0, 5.0), at(2.0, 2.0), at(4.0, 2.0), at(4.0, 6.0), at(1.0, 6.0), at(5.0, 6.0)] {
        assert!(u.contains(p), "{p:?}");
    }
}

#[test]
fn a_ray_through_a_vertex_is_counted_once() {
    let diamond = polygon(&[&[(5.0, 0.0), (10.0, 5.0), (5.0, 10.0), (0.0, 5.0), (5.0, 0.0)]]);
    assert!(diamond.contains(at(2.0, 5.0)));
    assert!(diamond.contains(at(5.0, 9.0)));
    assert!(!diamond.contains(at(-1.0, 5.0)));
    assert!(!diamond.contains(at(11.0, 5.0)));
    assert!(!diamond.contains(at(-1.0, 0.0)));
    assert!(!diamond.contains(at(-1.0, 10.0)));
}

#[test]
fn a_point_inside_a_hole_is_outside_and_one_on_its_edge_is_inside() {
    let holed = polygon(&[SQUARE, &[(4.0, 4.0), (4.0, 6.0), (6.0, 6.0), (6.0, 4.0), (4.0, 4.0)]]);
    assert!(!holed.contains(at(5.0, 5.0)));
    assert!(!holed.contains(at(4.0 + 1e-9, 5.0)));
    assert!(holed.contains(at(4.0, 5.0)));
    assert!(holed.contains(at(5.0, 6.0)));
    assert!(holed.contains(at(6.0, 6.0)));
    assert!(holed.contains(at(4.0 - 1e-9, 5.0)));
    assert!(holed.contains(at(2.0, 2.0)));
    assert!(holed.contains(at(0.0, 5.0)));
}

#[test]
fn several_polygons_cover_each_of_their_parts_and_not_the_gap_between() {
    let square = ring(SQUARE);
    let far = ring(&[(20.0, 0.0), (30.0, 0.0), (30.0, 10.0), (20.0, 10.0), (20.0, 0.0)]);
    let hole = ring(&[(2.0, 2.0), (8.0, 2.0), (8.0, 8.0), (2.0, 8.0), (2.0, 2.0)]);
    let island = ring(&[(4.0, 4.0), (6.0, 4.0), (6.0, 6.0), (4.0, 6.0), (4.0, 4.0)]);
    let boundary = AreaBoundary::parse(vec![vec![square, hole], vec![far], vec![island]]).unwrap();
    assert!(boundary.contains(at(1.0, 1.0)));
    assert!(boundary.contains(at(25.0, 5.0)));
    assert!(boundary.contains(at(20.0, 5.0)));
    assert!(!boundary.contains(at(15.0, 5.0)));
    assert!(!boundary.contains(at(3.0, 3.0)), "inside the hole, outside the island");
    assert!(boundary.contains(at(5.0, 5.0)), "on the island inside the hole");
}

#[test]
fn central_abu_dhabi_is_inside_its_area_and_dubai_is_not() {
    let abu_dhabi = polygon(&[&[
        (54.3200, 24.4700),
        (54.3500, 24.5000),
        (54.3900, 24.5200),
        (54.4200, 24.5000),
        (54.4400, 24.4500),
        (54.4000, 24.4100),
        (54.3500, 24.4200),
        (54.3200, 24.4700),
    ]]);
    assert!(abu_dhabi.contains(at(54.3549, 24.4823)), "Qasr Al Hosn");
    assert!(abu_dhabi.contains(at(54.3900, 24.5200)), "a vertex");
    assert!(abu_dhabi.contains(at(54.3700, 24.5100)), "the midpoint of an edge");
    assert!(!abu_dhabi.contains(at(55.2796, 25.1972)), "Dubai Mall");
    assert!(!abu_dhabi.contains(at(54.6081, 24.4672)), "Yas Island, east of the polygon");
    assert!(!abu_dhabi.contains(at(24.4823, 54.3549)), "latitude and longitude swapped");
}

#[test]
fn a_point_that_is_not_a_number_is_never_inside() {
    let square = polygon(&[SQUARE]);
    assert!(!square.contains(at(f64::NAN, 5.0)));
    assert!(!square.contains(at(5.0, f64::NAN)));
}

#[test]
fn a_stored_ring_that_is_not_closed_is_read_as_closed() {
    let open = AreaBoundary::from_stored(vec![vec![ring(&[(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0)])]]);
    assert!(open.contains(at(5.0, 5.0)));
    assert!(open.contains(at(0.0, 5.0)));
    assert!(!open.contains(at(-1.0, 5.0)));
}

/// A convex polygon: points on a circle at sorted distinct angles, closed.
fn convex_polygon() -> impl Strategy<Value = Vec<MapPoint>> {
    (-170.0..170.0_f64, -80.0..80.0_f64, 1e-4..5.0_f64, prop::collection::btree_set(0u32..3600, 3..16)).prop_map(
        |(lon, lat, radius, tenths)| {
            let mut points: Vec<MapPoint> = tenths
                .into_iter()
                .map(|t| {
                    let angle = f64::from(t).to_radians() / 10.0;
                    at(lon + radius * angle.cos(), lat + radius * angle.sin())
                })
                .collect();
            points.push(points[0]);
            points
        },
    )
}

fn bounds(points: &[MapPoint]) -> (f64, f64, f64, f64) {
    points.iter().fold((f64::MAX, f64::MIN, f64::MAX, f64::MIN), |(x0, x1, y0, y1), p| {
        (x0.min(p.longitude), x1.max(p.longitude), y0.min(p.latitude), y1.max(p.latitude))
    })
}

/// One coordinate for a rectangle property: its low or high end exactly, the middle, or anywhere
/// from one width below to one width above.
fn coordinate(low: f64, high: f64) -> impl Strategy<Value = f64> {
    let width = high - low;
    prop_oneof![Just(low), Just(high), Just(low + width / 2.0), (low - width)..(high + width)]
}

proptest! {
    #[test]
    fn every_vertex_and_edge_midpoint_of_a_convex_polygon_is_inside(points in convex_polygon()) {
        let boundary = AreaBoundary::parse(vec![vec![points.clone()]]).unwrap();
        for pair in points.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            prop_assert!(boundary.contains(a), "vertex {:?}", a);
            let mid = at((a.longitude + b.longitude) / 2.0, (a.latitude + b.latitude) / 2.0);
            prop_assert!(boundary.contains(mid), "midpoint {:?} of {:?}..{:?}", mid, a, b);
        }
    }

    #[test]
    fn the_mean_of_a_convex_polygons_vertices_is_inside(points in convex_polygon()) {
        let boundary = AreaBoundary::parse(vec![vec![points.clone()]]).unwrap();
        let corners = &points[1..];
        let n = corners.len() as f64;
        let mean = at(corners.iter().map(|p| p.longitude).sum::<f64>() / n, corners.iter().map(|p| p.latitude).sum::<f64>() / n);
        prop_assert!(boundary.contains(mean), "{:?}", mean);
    }

    #[test]
    fn points_well_outside_the_bounding_box_are_never_inside(
        points in convex_polygon(),
        side in 0u8..4,
        distance in 1e-6..50.0_f64,
        along in -100.0..100.0_f64,
    ) {
        let boundary = AreaBoundary::parse(vec![vec![points.clone()]]).unwrap();
        let (x0, x1, y0, y1) = bounds(&points);
        let p = match side {
            0 => at(x0 - distance, y0 + along),
            1 => at(x1 + distance, y0 + along),
            2 => at(x0 + along, y0 - distance),
            _ => at(x0 + along, y1 + distance),
        };
        prop_assert!(!boundary.contains(p), "{:?}", p);
    }

    #[test]
    fn a_rectangle_contains_exactly_the_points_within_its_bounds_edges_included(
        (x0, x1, x) in (-179.0..179.0_f64, 1e-3..1.0_f64).prop_flat_map(|(x0, w)| (Just(x0), Just(x0 + w), coordinate(x0, x0 + w))),
        (y0, y1, y) in (-89.0..89.0_f64, 1e-3..1.0_f64).prop_flat_map(|(y0, h)| (Just(y0), Just(y0 + h), coordinate(y0, y0 + h))),
        clockwise in any::<bool>(),
    ) {
        let mut corners = vec![at(x0, y0), at(x1, y0), at(x1, y1), at(x0, y1), at(x0, y0)];
        if clockwise {
            corners.reverse();
        }
        let boundary = AreaBoundary::parse(vec![vec![corners]]).unwrap();
        let expected = (x0..=x1).contains(&x) && (y0..=y1).contains(&y);
        prop_assert_eq!(boundary.contains(at(x, y)), expected, "({}, {}) in [{}, {}] x [{}, {}]", x, y, x0, x1, y0, y1);
    }
}
