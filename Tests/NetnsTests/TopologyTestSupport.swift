import Testing
import TestbedNetns

/// The problems `yaml` is refused with, one `path: message` line each; [] if it parses.
func problems(_ yaml: String) -> [String] {
    do {
        _ = try TopologyParser.parse(yaml)
        return []
    } catch {
        return error.problems.map(\.description)
    }
}

/// A file with the switches sw0 (10.0.0.0/24) and sw1 (10.0.1.0/24) and a router lr0
/// on both (10.0.0.1, 10.0.1.1), after `machines` (given as YAML list items, indented by 2).
func project(machines: String, network extra: String = "") -> String {
    """
    machines:
    \(machines)
    network:
      ovn:
        switches:
          sw0: { subnet: "10.0.0.0/24" }
          sw1: { subnet: "10.0.1.0/24" }
        routers:
          lr0:
            ports:
              - { name: lr0-sw0, mac: "00:00:00:00:ff:01", gateway_ip: "10.0.0.1/24", switch: sw0 }
              - { name: lr0-sw1, mac: "00:00:00:00:ff:02", gateway_ip: "10.0.1.1/24", switch: sw1 }
    \(extra)
    """
}

func ip(_ text: String) -> IPv4Address { IPv4Address(text)! }
func mac(_ text: String) -> MACAddress { MACAddress(text)! }
func net(_ text: String) -> IPv4Network { IPv4Network(text)! }
