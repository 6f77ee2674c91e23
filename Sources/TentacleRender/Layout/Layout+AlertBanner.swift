extension Layout {
    /// A full-panel emergency banner, drawn the same by the player and by the server's preview.
    /// The font follows the panel height so the headline fits small panels.
    public static func alertBanner(
        severity: AlertBannerWidget.Severity, texts: [AlertBannerWidget.Text], secondsPerLanguage: Double, width: Int, height: Int
    ) -> Layout {
        var style = TextStyle()
        style.font = height < 48 ? "5x8" : height < 128 ? "6x13" : "9x18"
        style.align = .center
        style.verticalAlign = .middle
        let banner = AlertBannerWidget(
            severity: severity, texts: texts.isEmpty ? [.init(language: "en", headline: "ALERT", text: "")] : texts,
            secondsPerLanguage: max(1, secondsPerLanguage), style: style)
        return Layout(
            width: width, height: height,
            regions: [Region(id: "alert", x: 0, y: 0, width: width, height: height, playlist: [PlaylistItem(duration: 3600, widget: .alertBanner(banner))])])
    }
}
