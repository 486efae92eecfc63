import Glibc

/// Creating sockets inside another network namespace from this process.
///
/// A socket belongs to the namespace that was current when it was created, for its whole life.
/// So: open the target namespace, `setns(fd, CLONE_NEWNET)` on the calling thread, create the
/// socket, switch the thread back. All of it happens synchronously on one thread.
///
/// `setns` and `setfsgid` are not exported by Swift's Glibc module (they need _GNU_SOURCE /
/// <sys/fsuid.h>), so they are looked up with dlsym.
enum NamespaceSockets {
    typealias SetnsFunction = @convention(c) (Int32, Int32) -> Int32
    typealias SetfsgidFunction = @convention(c) (UInt32) -> Int32

    static let cloneNewNet: Int32 = 0x4000_0000
    static let afPacket: Int32 = 17
    static let ethPIP: UInt16 = 0x0800

    nonisolated(unsafe) private static let handle = dlopen(nil, RTLD_NOW)
    static let setnsFunction: SetnsFunction? = symbol("setns")
    static let setfsgidFunction: SetfsgidFunction? = symbol("setfsgid")

    private static func symbol<T>(_ name: String) -> T? {
        guard let pointer = dlsym(handle, name) else { return nil }
        return unsafeBitCast(pointer, to: T.self)
    }

    static func errnoText(_ what: String) -> String { "\(what): \(String(cString: strerror(errno)))" }

    /// Runs `body` with the calling thread switched into the namespace at `path`
    /// (e.g. /run/netns/NAME), then switches back.
    static func inNamespace<T>(_ path: String, _ body: () throws -> T) throws -> T {
        guard let setns = setnsFunction else { throw KernelOracleError("setns not available in libc") }
        let original = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)
        guard original >= 0 else { throw KernelOracleError(errnoText("open /proc/thread-self/ns/net")) }
        defer { close(original) }
        let target = open(path, O_RDONLY | O_CLOEXEC)
        guard target >= 0 else { throw KernelOracleError(errnoText("open \(path)")) }
        defer { close(target) }
        guard setns(target, cloneNewNet) == 0 else { throw KernelOracleError(errnoText("setns \(path)")) }
        defer {
            if setns(original, cloneNewNet) != 0 {
                fatalError("cannot switch the thread back to its network namespace: \(errnoText("setns"))")
            }
        }
        return try body()
    }

    /// An AF_PACKET socket in the namespace, for sending frames out of `interface`.
    /// Protocol 0: it never receives anything.
    static func packetSocket(namespacePath: String, interface: String) throws -> (fd: Int32, ifindex: Int32) {
        try inNamespace(namespacePath) {
            let fd = socket(afPacket, Int32(SOCK_RAW.rawValue), 0)
            guard fd >= 0 else { throw KernelOracleError(errnoText("socket(AF_PACKET)")) }
            let index = if_nametoindex(interface)
            guard index != 0 else { close(fd); throw KernelOracleError(errnoText("if_nametoindex \(interface)")) }
            return (fd, Int32(index))
        }
    }

    /// A raw IPPROTO_RAW socket (IP_HDRINCL implied) in the namespace, created while the thread's
    /// fsgid is `gid`: the socket's file credentials then carry that gid, which nft's
    /// `meta skgid` reads (sk->sk_socket->file->f_cred->fsgid). The gid is invisible to
    /// iptables rules unless they use `-m owner`, unlike SO_MARK. setfsgid is per thread.
    static func rawSocket(namespacePath: String, gid: UInt32) throws -> Int32 {
        guard let setfsgid = setfsgidFunction else { throw KernelOracleError("setfsgid not available in libc") }
        return try inNamespace(namespacePath) {
            let previous = setfsgid(gid)
            defer { _ = setfsgid(UInt32(bitPattern: previous)) }
            let fd = socket(AF_INET, Int32(SOCK_RAW.rawValue), Int32(IPPROTO_RAW))
            guard fd >= 0 else { throw KernelOracleError(errnoText("socket(AF_INET, SOCK_RAW)")) }
            return fd
        }
    }

    /// Sends one Ethernet frame. Returns nil or an error text.
    static func sendFrame(fd: Int32, ifindex: Int32, frame: [UInt8]) -> String? {
        // struct sockaddr_ll: family u16, protocol be16, ifindex i32, hatype u16, pkttype u8,
        // halen u8, addr[8] — 20 bytes.
        var address = [UInt8](repeating: 0, count: 20)
        address[0] = UInt8(afPacket & 0xff); address[1] = UInt8(afPacket >> 8)
        address[2] = UInt8(ethPIP >> 8); address[3] = UInt8(ethPIP & 0xff)
        withUnsafeBytes(of: ifindex) { for (i, b) in $0.enumerated() { address[4 + i] = b } }
        address[11] = 6
        for i in 0..<6 { address[12 + i] = frame[i] }
        let sent = frame.withUnsafeBytes { buffer in
            address.withUnsafeBytes { addr in
                sendto(fd, buffer.baseAddress, buffer.count, 0, addr.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(addr.count))
            }
        }
        return sent == frame.count ? nil : errnoText("sendto(AF_PACKET)")
    }

    /// Sends one IPv4 packet (header included) from the raw socket with SO_MARK = `mark`.
    static func sendRaw(fd: Int32, packet: [UInt8], destination: UInt32, mark: UInt32) -> String? {
        var markValue = mark
        if setsockopt(fd, SOL_SOCKET, SO_MARK, &markValue, socklen_t(MemoryLayout<UInt32>.size)) != 0 {
            return errnoText("setsockopt(SO_MARK)")
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = destination.bigEndian
        let sent = packet.withUnsafeBytes { buffer in
            withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, buffer.baseAddress, buffer.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        return sent == packet.count ? nil : errnoText("sendto(raw)")
    }
}
