import Foundation
import Testing
import TentacleCore

@Suite struct CampaignTests {
    @Test func validCampaignHasNoIssues() {
        #expect(Fixture.campaign("spring-sale").issues().isEmpty)
    }

    @Test func validationNamesEveryField() {
        let campaign = Campaign(
            id: "Bad Id", name: " ", priority: 1001,
            schedule: Schedule(daysOfWeek: [9]), target: Target(),
            playlist: [])
        let fields = campaign.issues().map(\.field)
        #expect(fields == ["id", "name", "priority", "schedule.daysOfWeek", "target", "playlist"])
    }

    @Test func playlistEntriesAreChecked() {
        let campaign = Fixture.campaign(
            "c1",
            playlist: [
                PlaylistEntry(layoutId: "ok", durationSeconds: 1), PlaylistEntry(layoutId: "ok", durationSeconds: 86_400),
                PlaylistEntry(layoutId: "ok", durationSeconds: 0), PlaylistEntry(layoutId: "No", durationSeconds: 86_401),
            ])
        #expect(campaign.issues().map(\.field) == ["playlist[2].durationSeconds", "playlist[3].layoutId", "playlist[3].durationSeconds"])
    }

    @Test func roundTripsThroughJSON() throws {
        let campaign = Fixture.campaign(
            "c1", schedule: Schedule(daysOfWeek: [1, 5], windows: [Fixture.window("22:00", "02:00")]),
            target: Target(tags: ["outdoor"], circle: GeoCircle(lat: 31.2, lon: 121.4, radiusMeters: 500)))
        let data = try JSONEncoder().encode(campaign)
        #expect(try JSONDecoder().decode(Campaign.self, from: data) == campaign)
    }
}
