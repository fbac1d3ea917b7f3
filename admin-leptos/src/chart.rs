//! Geometry of the small inline-SVG charts (sparklines and bar charts): pure arithmetic in a
//! `width × height` box with y growing downwards, so it is tested without a browser.

/// Largest value of a series, at least `floor` (so an all-zero series draws a flat line at the
/// bottom rather than dividing by zero).
pub fn scale_max(values: &[f64], floor: f64) -> f64 {
    values
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(floor, f64::max)
}

/// `x,y x,y ...` of a line through `values` spread over the width, 0 at the bottom and `max`
/// at the top; empty when there are fewer than two points.
pub fn polyline_points(values: &[f64], max: f64, width: f64, height: f64) -> String {
    if values.len() < 2 || max <= 0.0 {
        return String::new();
    }
    let step = width / (values.len() - 1) as f64;
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let v = if v.is_finite() {
                v.clamp(0.0, max)
            } else {
                0.0
            };
            let x = i as f64 * step;
            let y = height - v / max * height;
            format!("{x:.1},{y:.1}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// One bar of a bar chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

/// Vertical bars for `values` side by side with `gap` between them, scaled to `max`.
pub fn bars(values: &[f64], max: f64, width: f64, height: f64, gap: f64) -> Vec<Bar> {
    if values.is_empty() {
        return Vec::new();
    }
    let n = values.len() as f64;
    let bar_width = ((width - gap * (n - 1.0)) / n).max(1.0);
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let v = if v.is_finite() {
                v.clamp(0.0, max.max(0.0))
            } else {
                0.0
            };
            let h = if max > 0.0 { v / max * height } else { 0.0 };
            Bar {
                x: i as f64 * (bar_width + gap),
                y: height - h,
                width: bar_width,
                height: h,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polyline_spans_the_box() {
        let pts = polyline_points(&[0.0, 5.0, 10.0], 10.0, 100.0, 20.0);
        assert_eq!(pts, "0.0,20.0 50.0,10.0 100.0,0.0");
        assert_eq!(polyline_points(&[3.0], 10.0, 100.0, 20.0), "");
        assert_eq!(scale_max(&[0.0, 0.0], 1.0), 1.0);
        assert_eq!(scale_max(&[2.0, f64::NAN, 7.0], 1.0), 7.0);
    }

    #[test]
    fn bars_share_the_width_and_grow_from_the_bottom() {
        let b = bars(&[1.0, 2.0], 2.0, 100.0, 50.0, 10.0);
        assert_eq!(b.len(), 2);
        assert_eq!(
            b[0],
            Bar {
                x: 0.0,
                y: 25.0,
                width: 45.0,
                height: 25.0
            }
        );
        assert_eq!(
            b[1],
            Bar {
                x: 55.0,
                y: 0.0,
                width: 45.0,
                height: 50.0
            }
        );
        assert!(bars(&[], 1.0, 10.0, 10.0, 1.0).is_empty());
        assert_eq!(bars(&[0.0], 0.0, 10.0, 10.0, 1.0)[0].height, 0.0);
    }
}
