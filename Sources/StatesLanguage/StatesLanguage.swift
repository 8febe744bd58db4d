// StatesLanguage
