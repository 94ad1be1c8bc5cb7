// Package views holds Tandem's Fyne screens: the main window with its
// navigation, the Contacts, Companies and Pipelines browsers, their detail
// pages and forms, and the first-run dialog.
//
// Screens talk to the domain only through the app service interfaces. Every
// service call runs in a goroutine bound to the window's context; its result
// is applied to the widgets in one fyne.Do, so the UI goroutine never waits on
// the database. Every visible string goes through fyne.io/fyne/v2/lang.
package views
