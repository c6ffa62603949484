//! Named clusters with inter-datacenter delays from published measurements.
//!
//! The delays are one-way extra delays, half the measured round trip,
//! added to every message between two datacenters on top of the scenario's
//! legs (which stand for the delay inside one).

use super::Cluster;

/// A named cluster and where its delays come from.
#[derive(Debug, Clone, Copy)]
pub struct ClusterPreset {
    /// Its name (`three-regions`).
    pub name: &'static str,
    /// One line for people.
    pub description: &'static str,
    /// Where the delays come from, or the assumption made.
    pub source: &'static str,
    /// The cluster's one-line form.
    pub spec: &'static str,
}

/// The presets.
pub const CLUSTER_PRESETS: [ClusterPreset; 3] = [
    ClusterPreset {
        name: "three-zones",
        description: "one region, one replica in each of three availability zones (RF = 3), coordinator in the first zone",
        // Best-of-50 pings between the zones of every AWS region range
        // from 0.25 ms to 3.37 ms round trip (K. Rawlings, "Measuring AWS
        // Region and AZ Latency", xkyle.com, 2020, from cloudping data);
        // most pairs are near 1 ms. Assumed: 1 ms round trip (0.5 ms one
        // way) between a and b and between b and c, 1.5 ms (0.75 ms one
        // way) between a and c, the farthest pair.
        source: "inter-zone round trips of 1 to 1.5 ms, within the 0.25-3.37 ms best-of-50 pings measured between AWS availability zones (xkyle.com, \"Measuring AWS Region and AZ Latency\"); an assumption, not one region's measurement",
        spec: "zone-a:1,zone-b:1,zone-c:1;zone-a-zone-b=const(0.5);zone-a-zone-c=const(0.75);zone-b-zone-c=const(0.5);write_dc=zone-a;read_dc=zone-a",
    },
    ClusterPreset {
        name: "two-regions",
        description: "two AWS regions (us-east-1, eu-west-1), three replicas each (RF = 3 per region), coordinator in us-east-1",
        // The N. Virginia - Ireland pair of the table below.
        source: "average ping round trip between AWS us-east-1 and eu-west-1, 80.55 ms (\"Latency Between AWS Global Regions\", as tabulated in acomputerscientistlearnsaws.blogspot.com, 2017); one way is half",
        spec: "us-east-1:3,eu-west-1:3;us-east-1-eu-west-1=const(40.275);write_dc=us-east-1;read_dc=us-east-1",
    },
    ClusterPreset {
        name: "three-regions",
        description: "three AWS regions (us-east-1, us-west-2, eu-west-1), three replicas each (RF = 3 per region), coordinator in us-east-1",
        // Average ping round trips between AWS regions (table "Latency
        // Between AWS Global Regions", reproduced in "AWS Regions",
        // acomputerscientistlearnsaws.blogspot.com, April 2017):
        // N. Virginia - Oregon 86.98 ms, N. Virginia - Ireland 80.55 ms,
        // Oregon - Ireland 137 ms. One way: half of each.
        source: "average ping round trips between AWS regions: us-east-1 - us-west-2 86.98 ms, us-east-1 - eu-west-1 80.55 ms, us-west-2 - eu-west-1 137 ms (\"Latency Between AWS Global Regions\", as tabulated in acomputerscientistlearnsaws.blogspot.com, 2017); one way is half",
        spec: "us-east-1:3,us-west-2:3,eu-west-1:3;us-east-1-us-west-2=const(43.49);us-east-1-eu-west-1=const(40.275);us-west-2-eu-west-1=const(68.5);write_dc=us-east-1;read_dc=us-east-1",
    },
];

/// The preset called `name`, as a cluster.
pub fn cluster_preset(name: &str) -> Option<Cluster> {
    CLUSTER_PRESETS
        .iter()
        .find(|p| p.name == name)
        .map(|p| p.spec.parse().expect("presets parse"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_parse_and_print_back() {
        for p in CLUSTER_PRESETS {
            let c = cluster_preset(p.name).unwrap();
            assert_eq!(c.spec(), p.spec, "{}", p.name);
        }
        assert_eq!(cluster_preset("three-regions").unwrap().n(), 9);
        assert!(cluster_preset("nowhere").is_none());
    }
}
