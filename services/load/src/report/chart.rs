//! Line charts as inline SVG: the report needs no script and no network to be read.

use std::fmt::Write;

/// One line of a chart.
#[derive(Debug, Clone)]
pub struct Series<'a> {
    /// Legend.
    pub name: &'a str,
    /// CSS colour.
    pub color: &'a str,
    /// (x, y) points, x ascending.
    pub points: Vec<(f64, f64)>,
}

const WIDTH: f64 = 900.0;
const HEIGHT: f64 = 280.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 34.0;
const BOTTOM: f64 = 40.0;

/// Escapes text for HTML and SVG.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A round upper bound at or above `max` (1, 2 or 5 times a power of ten).
pub fn nice_ceiling(max: f64) -> f64 {
    if !max.is_finite() || max <= 0.0 {
        return 1.0;
    }
    let magnitude = 10f64.powf(max.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|bound| *bound >= max)
        .unwrap_or(10.0 * magnitude)
}

fn label(value: f64) -> String {
    if value >= 100.0 || value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    }
}

/// A chart of `series` against seconds, titled `title`, its y axis in `unit`.
pub fn line_chart(title: &str, unit: &str, series: &[Series<'_>]) -> String {
    let max_x = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .fold(1.0f64, f64::max);
    let max_y = nice_ceiling(
        series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.1))
            .fold(0.0f64, f64::max),
    );
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let x = |v: f64| LEFT + v / max_x * plot_w;
    let y = |v: f64| TOP + plot_h - v / max_y * plot_h;

    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{t}">"#,
        t = escape(title)
    );
    let _ = write!(
        svg,
        r##"<rect width="{WIDTH}" height="{HEIGHT}" fill="#fff"/>"##
    );
    let _ = write!(
        svg,
        r##"<text x="{LEFT}" y="20" font-size="15" font-weight="600" fill="#222">{}</text>"##,
        escape(title)
    );
    for i in 0..=5 {
        let value = max_y * f64::from(i) / 5.0;
        let py = y(value);
        let _ = write!(
            svg,
            r##"<line x1="{LEFT}" x2="{x2}" y1="{py:.1}" y2="{py:.1}" stroke="#e4e4e4"/><text x="{tx}" y="{ty:.1}" font-size="11" text-anchor="end" fill="#555">{l}</text>"##,
            x2 = WIDTH - RIGHT,
            tx = LEFT - 6.0,
            ty = py + 4.0,
            l = label(value)
        );
    }
    let step = nice_ceiling(max_x / 8.0);
    let mut tick = 0.0;
    while tick <= max_x + f64::EPSILON {
        let px = x(tick);
        let _ = write!(
            svg,
            r##"<line x1="{px:.1}" x2="{px:.1}" y1="{b:.1}" y2="{b2:.1}" stroke="#999"/><text x="{px:.1}" y="{ty:.1}" font-size="11" text-anchor="middle" fill="#555">{l}s</text>"##,
            b = TOP + plot_h,
            b2 = TOP + plot_h + 4.0,
            ty = TOP + plot_h + 17.0,
            l = label(tick)
        );
        tick += step;
    }
    let _ = write!(
        svg,
        r##"<text x="14" y="{cy:.1}" font-size="11" fill="#555" transform="rotate(-90 14 {cy:.1})" text-anchor="middle">{u}</text><text x="{cx:.1}" y="{by:.1}" font-size="11" fill="#555" text-anchor="middle">seconds since the start</text>"##,
        cy = TOP + plot_h / 2.0,
        u = escape(unit),
        cx = LEFT + plot_w / 2.0,
        by = HEIGHT - 4.0
    );
    let _ = write!(
        svg,
        r##"<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#999"/>"##
    );
    let mut legend_x = WIDTH - RIGHT;
    for s in series.iter().rev() {
        legend_x -= 14.0 + 7.0 * s.name.chars().count() as f64 + 18.0;
        let _ = write!(
            svg,
            r##"<rect x="{legend_x:.1}" y="11" width="12" height="12" fill="{c}"/><text x="{tx:.1}" y="21" font-size="12" fill="#222">{n}</text>"##,
            c = s.color,
            tx = legend_x + 16.0,
            n = escape(s.name)
        );
    }
    for s in series {
        if s.points.is_empty() {
            continue;
        }
        let points: Vec<String> = s
            .points
            .iter()
            .map(|(px, py)| format!("{:.1},{:.1}", x(*px), y(*py)))
            .collect();
        let _ = write!(
            svg,
            r#"<polyline fill="none" stroke="{c}" stroke-width="2" points="{p}"><title>{n}</title></polyline>"#,
            c = s.color,
            p = points.join(" "),
            n = escape(s.name)
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_round() {
        assert_eq!(nice_ceiling(0.0), 1.0);
        assert_eq!(nice_ceiling(7.0), 10.0);
        assert_eq!(nice_ceiling(12.0), 20.0);
        assert_eq!(nice_ceiling(420.0), 500.0);
        assert_eq!(nice_ceiling(500.0), 500.0);
    }

    #[test]
    fn a_chart_holds_a_line_per_series_inside_its_frame() {
        let svg = line_chart(
            "Requests <per> second",
            "requests/s",
            &[
                Series {
                    name: "requests",
                    color: "#1f77b4",
                    points: vec![(0.0, 0.0), (1.0, 40.0), (2.0, 80.0)],
                },
                Series {
                    name: "failures",
                    color: "#d62728",
                    points: vec![(0.0, 0.0), (2.0, 1.0)],
                },
            ],
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert!(svg.contains("Requests &lt;per&gt; second"));
        // The highest point (80 of a 100 axis) lies inside the plot area.
        let line = svg
            .split("points=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        for point in line.split(' ') {
            let (px, py) = point.split_once(',').unwrap();
            let (px, py): (f64, f64) = (px.parse().unwrap(), py.parse().unwrap());
            assert!((LEFT..=WIDTH - RIGHT).contains(&px) && (TOP..=HEIGHT - BOTTOM).contains(&py));
        }
    }
}
