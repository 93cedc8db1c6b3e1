//! The place tables of the visit walk (`--geoip`): `countries`, `regions` and `asn` rows per day, and the
//! country and ASN of each `networks` row. Each human visitor key carries the id of its place
//! ([`Tables::places`]), looked up from its full address when the key was made; here the place's rows
//! are filled from the visitor's numbers, as browsers are.

use std::collections::BTreeMap;

use foldhash::HashMap;

use super::classify::stable_hash;
use super::distinct::CappedMap;
use super::partial::{Day, PlaceRow};
use super::tables::Tables;
use crate::geo::{Place, UNKNOWN};

/// The row keys (tab-separated key columns) of each place of a run.
pub(crate) struct PlaceKeys {
    keys: HashMap<u64, [String; 3]>,
    unknown: [String; 3],
}

/// The row keys of `p`: `country\tname`, `country\tregion\tname`, `asn\torganisation`.
fn keys_of(p: &Place) -> [String; 3] {
    let region = if p.region.is_empty() {
        UNKNOWN
    } else {
        p.region.as_str()
    };
    [
        format!("{}\t{}", p.country, p.country_name),
        format!("{}\t{region}\t{}", p.country, p.region_name),
        format!("{}\t{}", p.asn_label(), p.org),
    ]
}

impl PlaceKeys {
    /// The keys of every place of `t`.
    pub(crate) fn new(t: &Tables) -> PlaceKeys {
        PlaceKeys {
            keys: t
                .place_names
                .iter()
                .map(|(id, p)| (*id, keys_of(p)))
                .collect(),
            unknown: keys_of(&Place::unknown()),
        }
    }

    /// Adds a human visitor's numbers (`row`) to the rows of its place on its day `d`, and its sketch
    /// hash to the run's distinct visitors per row (`run`: countries, regions, ASNs).
    pub(crate) fn add(
        &self,
        t: &Tables,
        (visitor, sketch): (u64, u64),
        d: &mut Day,
        row: PlaceRow,
        run: &mut [CappedMap<String>; 3],
    ) {
        let keys = t
            .places
            .get(&visitor)
            .and_then(|id| self.keys.get(id))
            .unwrap_or(&self.unknown);
        let kinds = t.geo;
        for (i, (on, map)) in [
            (kinds.countries, &mut d.countries),
            (kinds.regions, &mut d.regions),
            (kinds.asn, &mut d.asns),
        ]
        .into_iter()
        .enumerate()
        {
            if !on {
                continue;
            }
            let k = &keys[i];
            add_place(map, k, &row);
            run[i].insert_with(k.as_str(), || k.clone(), sketch);
        }
    }
}

fn add_place(map: &mut BTreeMap<String, PlaceRow>, key: &str, row: &PlaceRow) {
    match map.get_mut(key) {
        Some(r) => r.add(row),
        None => map.entry(key.to_string()).or_default().add(row),
    }
}

/// Gives each human visitor's network the country and ASN of its place: the visitor's network id becomes
/// that of (network, place), named `network\tcountry\tasn` in [`Tables::networks`].
pub(crate) fn network_with_place(t: &mut Tables) {
    let mut names: HashMap<u64, String> = HashMap::default();
    let unknown = Place::unknown();
    for (key, vd) in t.visitors.iter_mut() {
        let place_id = t.places.get(key).copied().unwrap_or(0);
        let network = t.network_ids.hash(vd.network);
        let id = stable_hash(&[&network.to_le_bytes(), &place_id.to_le_bytes()]);
        names.entry(id).or_insert_with(|| {
            let net = t.networks.get(&network).map_or("-", String::as_str);
            let p = t.place_names.get(&place_id).unwrap_or(&unknown);
            let country = if t.geo.countries {
                p.country.as_str()
            } else {
                ""
            };
            let asn = if t.geo.asn {
                p.asn_label()
            } else {
                String::new()
            };
            format!("{net}\t{country}\t{asn}")
        });
        vd.network = t.network_ids.id(id);
    }
    t.networks.extend(names);
}
