import Foundation

/// Starts `moto_server` on a loopback port; the caller kills it by pid (SIGKILL: the test
/// runner's blocked-signal mask is inherited, so moto never sees SIGTERM).
func launchMoto(port: Int) throws -> Process {
    guard let motoServer else { throw CancellationError() }
    let moto = Process()
    moto.executableURL = URL(fileURLWithPath: motoServer)
    moto.arguments = ["-H", "127.0.0.1", "-p", "\(port)"]
    moto.standardOutput = FileHandle.nullDevice
    moto.standardError = FileHandle.nullDevice
    try moto.run()
    return moto
}
