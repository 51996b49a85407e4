import Foundation

/// A minimal ZIP writer: stored (uncompressed) entries, no ZIP64, fixed timestamps (1980-01-01, so
/// the same files give the same bytes). Enough for Gradescope's autograder bundle without relying
/// on a `zip` binary being installed.
public struct ZipWriter {
    public struct Entry {
        public var name: String
        public var data: Data
        /// Unix mode 755 instead of 644: `run_autograder` must be executable.
        public var executable: Bool
    }
    public private(set) var entries: [Entry] = []

    public init() {}

    public mutating func add(_ name: String, _ data: Data, executable: Bool = false) {
        entries.append(Entry(name: name, data: data, executable: executable))
    }

    /// The archive: local header + data per entry, then the central directory and its end record.
    public func archive() throws -> Data {
        guard entries.count < 0xFFFF else { throw GraderError("a zip without ZIP64 holds at most 65534 files, not \(entries.count)") }
        var out = Data(), central = Data()
        for entry in entries {
            let name = Data(entry.name.utf8)
            guard out.count + entry.data.count + name.count + 30 < 0xFFFF_FFFF, name.count <= 0xFFFF else {
                throw GraderError("the zip would exceed 4 GB (or \(entry.name)'s name is too long): ZIP64 is not supported")
            }
            let crc = ZipWriter.crc32(entry.data), offset = UInt32(out.count), size = UInt32(entry.data.count)
            // Shared by both headers: version needed 2.0, UTF-8 names, stored, DOS time 00:00 date 1980-01-01.
            func common(_ d: inout Data) {
                d.le16(20); d.le16(0x0800); d.le16(0); d.le16(0); d.le16(0x0021)
                d.le32(crc); d.le32(size); d.le32(size); d.le16(UInt16(name.count)); d.le16(0)
            }
            out.le32(0x0403_4B50); common(&out); out.append(name); out.append(entry.data)
            central.le32(0x0201_4B50); central.le16(0x0314)   // made by: Unix, 2.0
            common(&central)
            central.le16(0); central.le16(0); central.le16(0)  // comment length, disk, internal attributes
            central.le32(UInt32(entry.executable ? 0o100755 : 0o100644) << 16)
            central.le32(offset); central.append(name)
        }
        let centralOffset = UInt32(out.count)
        out.append(central)
        out.le32(0x0605_4B50); out.le16(0); out.le16(0)
        out.le16(UInt16(entries.count)); out.le16(UInt16(entries.count))
        out.le32(UInt32(central.count)); out.le32(centralOffset); out.le16(0)
        return out
    }

    private static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    /// CRC-32 (IEEE 802.3, as in ZIP and gzip): `crc32("123456789") == 0xCBF43926`.
    public static func crc32(_ data: Data) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}

fileprivate extension Data {
    mutating func le16(_ v: UInt16) { append(contentsOf: [UInt8(v & 0xFF), UInt8(v >> 8)]) }
    mutating func le32(_ v: UInt32) { for shift in stride(from: 0, to: 32, by: 8) { append(UInt8((v >> UInt32(shift)) & 0xFF)) } }
}
