import Logging
import Crypto
import Foundation
import TentacleCore
import TentacleRender

/// The inbox job: what the server says, into the cache and the player.
extension Agent {
    func receive(_ text: String) async {
        link.heard()
        let message: ServerMessage
        do {
            message = try sharedMessages?.decode(text) ?? ServerMessage.decode(Array(text.utf8))
        } catch {
            logger.warning("unreadable message from the server", metadata: ["error": "\(error)"])
            return
        }
        switch message {
        case .welcome(let welcome):
            await welcomed(welcome)
        case .schedule(let update):
            await load(update)
        case .asset(let asset):
            store(asset)
        case .command(let command):
            await run(command)
        case .ping(let ping):
            await send(.pong(.init(t: ping.t)))
        case .received(let received):
            cache.settle(received.seq)
            if let reason = received.reason {
                logger.warning("server refused part of batch \(received.seq)", metadata: ["refused": "\(received.refused ?? 0)", "reason": "\(reason)"])
            }
            events(.settled(received.seq))
        case .alert(let alert):
            var alerts = cache.alerts.filter { $0.id != alert.id && !alert.replaces.contains($0.id) }
            alerts.append(alert)
            saveAlerts(alerts)
            // The acknowledgement follows a drawn frame, also on displays that otherwise only decide.
            await tick(force: true)
        case .alertCancel(let cancel):
            saveAlerts(cache.alerts.filter { !cancel.ids.contains($0.id) })
            receipts.forget(cancel.ids)
            await tick()
        case .error(let error):
            logger.warning("server says: \(error.message)", metadata: ["code": "\(error.code)", "field": "\(error.field ?? "-")"])
        }
    }

    /// The server took this connection: the display record, the heartbeat, where the batch
    /// counter stands; then everything unsettled goes out again.
    private func welcomed(_ welcome: ServerMessage.Welcome) async {
        do {
            try cache.store(display: welcome.display)
        } catch {
            logger.error("cannot cache the display record", metadata: ["error": "\(error)"])
        }
        if screen.player == nil {
            screen.player = Player(display: welcome.display, schedule: cache.schedule, assets: cache.assets)
        } else {
            screen.player?.update(display: welcome.display)
        }
        if let last = welcome.lastSeq {
            do {
                try cache.continueAfter(last)
            } catch {
                logger.error("cannot move the batch counter on", metadata: ["error": "\(error)"])
            }
        }
        link.welcome(heartbeatSeconds: welcome.heartbeatSeconds)
        events(.connected)
        for (_, text) in cache.pending {
            await send(text: text)
        }
        for (id, shownAt) in receipts.pending {
            await send(.ack(.init(alertId: id, shownAt: shownAt)))
        }
    }

    private func load(_ update: ServerMessage.ScheduleUpdate) async {
        do {
            try cache.store(schedule: update)
        } catch {
            logger.error("cannot cache the schedule", metadata: ["error": "\(error)"])
        }
        events(.schedule(update.version))
        let missing = Set(update.assets).subtracting(cache.assets.keys)
        if let sharedMessages {
            screen.player?.load(update, assets: cache.assets) { document throws(LayoutError) in try sharedMessages.layout(document) }
        } else {
            screen.player?.load(update, assets: cache.assets)
        }
        if let player = screen.player, !player.unreadableLayouts.isEmpty {
            logger.warning("layouts in the schedule cannot be read", metadata: ["layouts": "\(player.unreadableLayouts)"])
        }
        if !missing.isEmpty {
            wantedAssets.formUnion(missing)
            await send(.fetch(.init(assets: missing.sorted())))
        }
    }

    /// An image the schedule needs, kept only if its bytes have the hash it was asked for by.
    private func store(_ asset: ServerMessage.Asset) {
        wantedAssets.remove(asset.sha256)
        guard let data = asset.data.flatMap({ Data(base64Encoded: $0) }) else {
            logger.warning("the server has no image \(asset.sha256)")
            return
        }
        let digest = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        guard digest == asset.sha256.lowercased() else {
            logger.warning("image \(asset.sha256) arrived with the wrong hash; ignored")
            return
        }
        do {
            try cache.store(asset: digest, bytes: Array(data))
        } catch {
            logger.error("cannot cache image", metadata: ["error": "\(error)"])
        }
        if wantedAssets.isEmpty { screen.player?.load(cache.schedule, assets: cache.assets) }
    }

    func saveAlerts(_ alerts: [ServerMessage.AlertNotice]) {
        do {
            try cache.store(alerts: alerts)
        } catch {
            logger.error("cannot cache alerts", metadata: ["error": "\(error)"])
        }
    }

    private func run(_ command: ServerMessage.Command) async {
        switch command.command {
        case .brightness:
            if command.auto == true {
                screen.setBrightness(nil)
            } else if let level = command.level, (0...100).contains(level) {
                screen.setBrightness(level)
            } else {
                await send(.result(.init(commandId: command.id, ok: false, message: "brightness needs a level 0 to 100 or auto")))
                return
            }
            await send(.result(.init(commandId: command.id, ok: true)))
        case .screenshot:
            if screen.lastFrame == nil { await tick(force: true) }
            guard let shot = screen.lastFrame else {
                await send(.result(.init(commandId: command.id, ok: false, message: "no frame drawn yet")))
                return
            }
            let png = Data(PNG.encode(shot)).base64EncodedString()
            await send(.screenshot(.init(commandId: command.id, at: Reading.milliseconds(clock()), png: png)))
        case .reload:
            screen.player?.load(nil, assets: [:])
            await send(.result(.init(commandId: command.id, ok: true)))
            // Asking again without a version makes the server send the schedule whole.
            await send(hello(scheduleVersion: nil))
        case .identify:
            screen.identify(until: clock().addingTimeInterval(Double(command.seconds ?? 10)))
            await send(.result(.init(commandId: command.id, ok: true)))
            await tick()
        }
    }
}
