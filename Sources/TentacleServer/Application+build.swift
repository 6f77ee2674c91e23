public import Foundation
public import Hummingbird
public import Logging
import NIOCore
import TentacleCAP
import TentacleCore
public import TentacleStore

/// The router with every route, built over any storage backend.
public func buildRouter(
    store: any Storage, configuration: ServerConfiguration, clock: @escaping @Sendable () -> Date = { Date() }
) -> Router<AppRequestContext> {
    buildRouter(env: makeEnvironment(store: store, configuration: configuration, logger: Logger(label: "tentacle"), clock: clock))
}

func makeEnvironment(store: any Storage, configuration: ServerConfiguration, logger: Logger, clock: @escaping @Sendable () -> Date) -> ServerEnvironment {
    let relay = NodeRelay(store: store)
    let hub = ChannelHub(heartbeat: .seconds(max(1, configuration.heartbeatSeconds)), relay: relay, clock: clock)
    let directory = DisplayDirectory(store: store)
    let telemetry = TelemetryCache()
    let live = LiveReadings()
    // Readings from HTTP requests and display channels, committed many at a time; each item is one
    // request's (or one channel message's) batches, which stay in one transaction.
    let readingWrites = GroupCommit<[ReadingBatch], [BatchOutcome]>(maxBatch: 64) { requests in
        let outcomes = try await store.ingest(requests.flatMap { $0 }, at: clock())
        var rest = outcomes[...]
        return requests.map { batches in
            defer { rest = rest.dropFirst(batches.count) }
            return Array(rest.prefix(batches.count))
        }
    }
    let alerts = AlertDispatcher(store: store, hub: hub, directory: directory, clock: clock, logger: logger)
    let intake = AlertIntake(repository: store, directory: directory, dispatcher: alerts, clock: clock)
    let schedules = SchedulePublisher(store: store, hub: hub, logger: logger)
    let rules = RuleService(store: store, directory: directory, schedules: schedules, clock: clock, logger: logger)
    let latest = LatestValues()
    let entities = EntityCatalog(store: store, latest: latest)
    let subscriptions = SubscriptionService(store: store, catalog: entities, latest: latest, clock: clock, logger: logger)
    return ServerEnvironment(
        store: store, configuration: configuration, hasher: PasswordHasher(cost: configuration.bcryptCost),
        throttle: LoginThrottle(
            limit: configuration.loginFailureLimit, addressLimit: configuration.loginAddressFailureLimit, window: configuration.loginWindow),
        metrics: ServerMetrics(), clock: clock, telemetry: telemetry, live: live,
        channel: hub, schedules: schedules, workers: ChannelWorkers(),
        alerts: alerts, directory: directory,
        playWrites: GroupCommit { try await store.recordPlays($0, at: clock()) },
        ingest: TelemetryIngest(
            repository: store, catalogue: telemetry, writes: readingWrites, live: live, relay: relay, rules: rules,
            retention: configuration.retention,
            clock: clock),
        intake: intake,
        campaigns: CampaignWorkflow(repository: store, clock: clock),
        provisioning: DisplayProvisioning(repository: store, channel: hub, clock: clock),
        feeds: AlertFeedPoller(
            store: store, intake: intake, fetcher: FeedFetcher(timeout: configuration.feedTimeoutSeconds),
            limits: CAPLimits.intake(maxBytes: configuration.maxAlertBytes), clock: clock, logger: logger),
        rules: rules, webhooks: WebhookSender(store: store, clock: clock, logger: logger),
        alarms: HealthAlarmService(store: store, clock: clock, logger: logger),
        ruleWorkflow: RuleWorkflow(repository: store, service: rules, clock: clock),
        entities: entities, subscriptions: subscriptions,
        notifications: NotificationSender(store: store, service: subscriptions, clock: clock, logger: logger))
}

func buildRouter(env: ServerEnvironment) -> Router<AppRequestContext> {
    let store = env.store
    let clock = env.clock
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: RequestObservation(metrics: env.metrics))
    router.add(middleware: ChangeSignal(schedules: env.schedules))
    SystemController(env: env).register(on: router)

    let auth = AuthController(env: env)
    auth.registerPublic(on: router.group("v1"))

    let v1 = router.group("v1").add(middleware: UserAuthMiddleware(store: store, clock: clock))
    auth.register(on: v1)
    UserController(env: env).register(on: v1)
    let displays = DisplayController(env: env)
    displays.register(on: v1)
    CredentialController(env: env, displays: displays).register(on: v1)
    DisplayCommandController(env: env, displays: displays).register(on: v1)
    AlertController(env: env).register(on: v1)
    AlertFeedController(env: env).register(on: v1)
    SensorController(env: env).register(on: v1)
    DistrictController(env: env).register(on: v1)
    AuditController(env: env).register(on: v1)
    EventsController(env: env).register(on: v1)
    MapController(env: env).register(on: v1)
    AssetController(env: env).register(on: v1)
    LayoutController(env: env).register(on: v1)
    CampaignController(env: env).register(on: v1)
    ResolutionController(env: env, displays: displays).register(on: v1)
    TelemetryController(env: env).register(on: v1)
    RuleController(env: env).register(on: v1)
    AlarmController(env: env).register(on: v1)

    // NGSI-LD (ETSI GS CIM 009) for FIWARE clients: the same users and tokens, errors as ProblemDetails.
    NGSIEntityController.registerContext(on: router)
    let ngsi = router.group("ngsi-ld/v1").add(middleware: ProblemDetailsMiddleware()).add(middleware: UserAuthMiddleware(store: store, clock: clock))
    NGSIEntityController(env: env).register(on: ngsi)
    NGSITemporalController(env: env).register(on: ngsi)
    NGSISubscriptionController(env: env).register(on: ngsi)
    // Anything else under /ngsi-ld/v1 answers in NGSI-LD's own error form too.
    for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete] {
        ngsi.on("**", method: method) { request, _ -> Response in
            throw NGSIError(.resourceNotFound, "\(request.method) \(request.uri.path) is not part of Tentacle's NGSI-LD API (see docs/ngsi-ld.md)")
        }
    }

    let devices = router.group("v1").add(middleware: DeviceAuthMiddleware(store: store))
    DeviceController().register(on: devices)
    return router
}

/// The HTTP application `tentacle serve` runs; tests drive the same value in-process.
public func buildApplication(
    store: any Storage, configuration: ServerConfiguration, logger: Logger,
    clock: @escaping @Sendable () -> Date = { Date() },
    onServerRunning: @escaping @Sendable (String) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let env = makeEnvironment(store: store, configuration: configuration, logger: logger, clock: clock)
    return Application(
        router: buildRouter(env: env),
        server: DeviceChannelServer.builder(devices: DeviceChannel(env: env)),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "tentacle"),
        services: [
            env.schedules,
            env.alerts,
            env.feeds,
            env.rules,
            env.webhooks,
            env.alarms,
            env.subscriptions,
            env.notifications,
            ChannelProcessor(channel: DeviceChannel(env: env), logger: logger),
            NodeInbox(env: env, logger: logger),
            ChannelHeartbeat(store: store, hub: env.channel, logger: logger),
            AssetCollector(
                store: store, gracePeriod: configuration.assetGracePeriod, interval: .seconds(3600), clock: clock, logger: logger),
            ReadingRetention(
                store: store, policy: configuration.retention, interval: .seconds(configuration.retentionInterval), clock: clock,
                logger: logger),
        ],
        onServerRunning: { channel in
            let port = channel.localAddress?.port ?? configuration.port
            let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
            await onServerRunning("http://\(host):\(port)")
        },
        logger: logger
    )
}

/// Opens the configured database: PostgreSQL for a `postgres://` URL (waiting up to 30 s for a
/// server that is starting), else the SQLite file, created on first start. Returns the store and
/// how to name it in messages (never with a password).
public func openDatabase(
    _ configuration: ServerConfiguration, logger: Logger, clock: @escaping @Sendable () -> Date = { Date() }
) async throws -> (store: any Storage, name: String) {
    guard let location = try configuration.postgresLocation() else {
        return (try openStore(configuration, clock: clock), try configuration.sqlitePath())
    }
    guard (1...1000).contains(configuration.databasePoolSize) else { throw ConfigurationError("--database-pool must be 1...1000") }
    do {
        let store = try await PostgresStore(location: location, poolSize: configuration.databasePoolSize, clock: clock, logger: logger)
        return (store, location.description)
    } catch let error as StoreError {
        throw ConfigurationError(error.message)
    } catch {
        throw ConfigurationError("cannot open PostgreSQL at \(location): \(error)")
    }
}

/// Opens the configured SQLite store, creating the data folder and file on first start.
public func openStore(_ configuration: ServerConfiguration, clock: @escaping @Sendable () -> Date = { Date() }) throws -> SQLiteStore {
    let path = try configuration.sqlitePath()
    let folder = (path as NSString).deletingLastPathComponent
    if !folder.isEmpty {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw ConfigurationError("cannot create data folder '\(folder)': \(error.localizedDescription)")
        }
    }
    do {
        return try SQLiteStore(path: path, clock: clock)
    } catch {
        throw ConfigurationError("cannot open database '\(path)': \(error)")
    }
}

/// The first admin account, made when the database has no users.
public struct InitialAdmin: Sendable {
    public let username: String
    /// Set when the server generated the password; it is shown once and never stored in clear.
    public let generatedPassword: String?
}

/// Creates the `admin` user on an empty database, with the configured or a random password.
public func ensureAdmin(store: any Storage, configuration: ServerConfiguration, clock: @Sendable () -> Date = { Date() }) async throws -> InitialAdmin? {
    guard try await store.userCount() == 0 else { return nil }
    let generated: String? = configuration.initialAdminPassword == nil ? Secret.generate(prefix: "").prefix(20).description : nil
    let password = configuration.initialAdminPassword ?? generated!
    let issues = User.issues(username: nil, password: password, districts: nil)
    if !issues.isEmpty { throw ConfigurationError("admin password: \(ValidationError(issues).summary)") }
    let admin = User(id: Identifier.generate(prefix: "usr"), username: "admin", role: .admin, districts: [], createdAt: clock())
    let hash = try await PasswordHasher(cost: configuration.bcryptCost).hash(password)
    try await store.createUser(
        admin, passwordHash: hash,
        audit: AuditEvent(actor: "system", action: "user.create", objectType: "user", objectId: admin.id, summary: "created first admin"))
    return InitialAdmin(username: admin.username, generatedPassword: generated)
}
