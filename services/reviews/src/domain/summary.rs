//! A product's rating summary.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// How a product is rated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RatingSummary {
    /// The product.
    pub product_id: Uuid,
    /// Mean stars rounded to 2 decimals (half up); `null` without reviews.
    pub average: Option<f64>,
    /// Number of reviews.
    pub count: i64,
    /// Number of reviews per star count.
    pub distribution: Distribution,
}

/// Number of reviews per star count, keyed `"1"` to `"5"`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Distribution {
    /// One star.
    #[serde(rename = "1")]
    pub one: i64,
    /// Two stars.
    #[serde(rename = "2")]
    pub two: i64,
    /// Three stars.
    #[serde(rename = "3")]
    pub three: i64,
    /// Four stars.
    #[serde(rename = "4")]
    pub four: i64,
    /// Five stars.
    #[serde(rename = "5")]
    pub five: i64,
}

impl Distribution {
    /// From `(stars, count)` pairs; stars outside 1–5 cannot be stored and are ignored.
    pub fn from_counts(counts: impl IntoIterator<Item = (i64, i64)>) -> Self {
        let mut d = Self::default();
        for (stars, count) in counts {
            match stars {
                1 => d.one += count,
                2 => d.two += count,
                3 => d.three += count,
                4 => d.four += count,
                5 => d.five += count,
                _ => {}
            }
        }
        d
    }

    fn pairs(&self) -> [(i64, i64); 5] {
        [
            (1, self.one),
            (2, self.two),
            (3, self.three),
            (4, self.four),
            (5, self.five),
        ]
    }
}

impl RatingSummary {
    /// The summary of `distribution`, with the average computed in integers and rounded
    /// half up to 2 decimals (so 4.125 is 4.13, never a float artefact like 4.12).
    pub fn new(product_id: Uuid, distribution: Distribution) -> Self {
        let pairs = distribution.pairs();
        let count: i64 = pairs.iter().map(|(_, n)| n).sum();
        let stars: i64 = pairs.iter().map(|(s, n)| s * n).sum();
        let average = (count > 0).then(|| {
            // Hundredths, rounded half up: (200·stars + count) / (2·count).
            let hundredths = (200 * stars + count) / (2 * count);
            // At most 500: exact in f64.
            hundredths as f64 / 100.0
        });
        Self {
            product_id,
            average,
            count,
            distribution,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(counts: &[(i64, i64)]) -> RatingSummary {
        RatingSummary::new(
            Uuid::nil(),
            Distribution::from_counts(counts.iter().copied()),
        )
    }

    #[test]
    fn average_count_and_distribution() {
        let s = summary(&[(5, 2), (4, 1)]);
        assert_eq!(s.count, 3);
        assert_eq!(s.average, Some(4.67));
        assert_eq!(s.distribution.five, 2);
        assert_eq!(summary(&[(1, 1), (2, 1)]).average, Some(1.5));
        assert_eq!(summary(&[(5, 1), (4, 7)]).average, Some(4.13)); // 4.125
        assert_eq!(summary(&[(1, 2), (2, 1)]).average, Some(1.33));
    }

    #[test]
    fn no_reviews_no_average() {
        let s = summary(&[]);
        assert_eq!((s.count, s.average), (0, None));
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(
            json["distribution"],
            serde_json::json!({"1": 0, "2": 0, "3": 0, "4": 0, "5": 0})
        );
    }
}
