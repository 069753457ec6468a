//! `docs/events.md` says what [`super::EVENTS`] says: every event, under the section of its
//! producer, with its consumers, and no event the store does not have.

use std::collections::BTreeMap;

use super::EVENTS;

const DOC: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/events.md"));

/// Event name → (producer, consumers).
type Listing = BTreeMap<String, (String, Vec<String>)>;

/// The events as the doc's tables list them, under the section of their producer.
fn documented() -> Result<Listing, Vec<String>> {
    let mut events = BTreeMap::new();
    let mut errors = Vec::new();
    let mut producer: Option<String> = None;
    for line in DOC.lines() {
        if let Some(heading) = line.strip_prefix("## ") {
            let name = heading.trim().to_ascii_lowercase();
            producer = petstore_contract::service(&name).map(|s| s.name.to_string());
            continue;
        }
        let Some(producer) = &producer else { continue };
        let cells: Vec<&str> = line
            .trim()
            .trim_matches('|')
            .split('|')
            .map(str::trim)
            .collect();
        if !line.trim_start().starts_with('|') || cells.len() < 3 || !cells[0].contains('`') {
            continue;
        }
        let consumers: Vec<String> = cells[1]
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty() && *c != "–")
            .map(str::to_string)
            .collect();
        for name in backticked(cells[0]) {
            if events
                .insert(name.to_string(), (producer.clone(), consumers.clone()))
                .is_some()
            {
                errors.push(format!("{name} is documented twice"));
            }
        }
    }
    if errors.is_empty() {
        Ok(events)
    } else {
        Err(errors)
    }
}

fn backticked(text: &str) -> impl Iterator<Item = &str> {
    text.split('`').skip(1).step_by(2)
}

#[test]
fn the_doc_lists_every_event_with_its_producer_and_consumers() {
    let documented = documented().unwrap_or_else(|errors| panic!("{errors:#?}"));
    let mut errors = Vec::new();
    for spec in EVENTS {
        let expected = (
            spec.producer.to_string(),
            spec.consumers
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>(),
        );
        match documented.get(spec.name) {
            None => errors.push(format!("{} is not in docs/events.md", spec.name)),
            Some(found) if *found != expected => errors.push(format!(
                "{}: the doc says produced by {} for [{}], the code by {} for [{}]",
                spec.name,
                found.0,
                found.1.join(", "),
                expected.0,
                expected.1.join(", ")
            )),
            Some(_) => {}
        }
    }
    for name in documented.keys() {
        if super::event(name).is_none() {
            errors.push(format!(
                "docs/events.md documents {name}, which no service has"
            ));
        }
    }
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn the_doc_names_no_other_event() {
    let prefixes: Vec<&str> = EVENTS
        .iter()
        .filter_map(|spec| spec.name.split_once('.').map(|(prefix, _)| prefix))
        .collect();
    let unknown: Vec<&str> = backticked(DOC)
        .filter(|token| {
            token.split_once('.').is_some_and(|(prefix, rest)| {
                prefixes.contains(&prefix)
                    && !rest.is_empty()
                    && rest
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c == '_' || c == '*')
            })
        })
        .filter(|token| super::event(token).is_none() && !token.ends_with(".*"))
        .collect();
    assert!(
        unknown.is_empty(),
        "docs/events.md names unknown events: {unknown:?}"
    );
}
