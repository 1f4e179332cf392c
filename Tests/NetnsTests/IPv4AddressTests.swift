import Testing
import TestbedNetns

@Suite struct IPv4AddressTests {
    @Test func parsesAndPrintsDottedQuads() {
        #expect(IPv4Address("10.0.0.1")?.value == 0x0a00_0001)
        #expect(IPv4Address("255.255.255.255")?.description == "255.255.255.255")
        for bad in ["10.0.0", "10.0.0.256", "010.0.0.1", "1.2.3.4.5", "a.b.c.d", "", "1..2.3"] {
            #expect(IPv4Address(bad) == nil, "\(bad)")
        }
    }

    @Test func networksRefuseHostBitsAndContainTheirAddresses() throws {
        let network = try #require(IPv4Network("10.0.1.0/24"))
        #expect(network.contains(IPv4Address("10.0.1.255")!))
        #expect(!network.contains(IPv4Address("10.0.2.0")!))
        #expect(network.broadcast.description == "10.0.1.255")
        #expect(IPv4Network("10.0.1.1/24") == nil)
        #expect(IPv4Network("10.0.1.0/33") == nil)
    }

    @Test func macAddressesPrintLowercase() {
        #expect(MACAddress("00:00:00:00:FF:01")?.description == "00:00:00:00:ff:01")
        #expect(MACAddress("01:00:00:00:00:00")?.isMulticast == true)
        #expect(MACAddress("00:00:00:00:ff") == nil)
    }
}
