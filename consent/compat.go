package consent

// HasStoredChoice reports whether the installer would not ask (kept until
// the installer form asks InstallerQuestion instead).
func (s *Store) HasStoredChoice() bool {
	ask, _ := s.InstallerQuestion()
	return !ask
}
