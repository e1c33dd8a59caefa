//! Static tables of Albanian names, places, banks and business words used by the generator.

/// Male first names (with Albanian diacritics where they belong).
#[rustfmt::skip]
pub const MALE: &[&str] = &[
    "Arbën", "Dritan", "Besnik", "Ilir", "Gëzim", "Fatmir", "Artan", "Agron",
    "Edmond", "Erion", "Klodian", "Genci", "Arben", "Mirel", "Altin", "Bledar",
    "Ardian", "Sokol", "Gjergj", "Kastriot", "Skënder", "Flamur", "Luan", "Besmir",
    "Ermal", "Erjon", "Elton", "Endri", "Eri", "Fation", "Florian", "Redon",
    "Andi", "Arlind", "Ervis", "Klevis", "Marsel", "Orges", "Olsi", "Renato",
    "Sajmir", "Taulant", "Valmir", "Xhevdet", "Ylli", "Zef", "Përparim", "Shpëtim",
    "Qemal", "Bujar", "Petrit", "Lulzim", "Nexhat", "Mehmet", "Hysen", "Rexhep",
    "Ramiz", "Shkëlqim", "Tefik", "Ilirjan", "Ardit", "Aldo", "Dorian", "Elvis",
    "Gentian", "Herion", "Indrit", "Jetmir", "Kujtim", "Lorenc", "Mariglen", "Nertil",
    "Oltion", "Pëllumb", "Rezart", "Saimir", "Tomorr", "Vladimir", "Xhuljan", "Ylber",
    "Arjan", "Bashkim", "Çlirim", "Dashamir", "Engjëll", "Fatos", "Gazmend", "Hektor",
    "Isuf", "Jonuz", "Kreshnik", "Leonard", "Mentor", "Nikolla", "Osman", "Piro",
    "Rrapo", "Sotir", "Thanas", "Vangjel", "Alban", "Blerim", "Dardan", "Entel",
    "Fitim", "Granit", "Hamdi", "Idriz", "Julian", "Kristi",
];

/// Female first names.
#[rustfmt::skip]
pub const FEMALE: &[&str] = &[
    "Elira", "Arta", "Blerta", "Drita", "Ermira", "Fatjona", "Gentiana", "Hëna",
    "Irena", "Jonida", "Klea", "Luljeta", "Mimoza", "Nertila", "Orjana", "Pranvera",
    "Rudina", "Suela", "Teuta", "Valbona", "Xhensila", "Ylvi", "Zamira", "Anila",
    "Besiana", "Dorina", "Eriona", "Flutura", "Gëzime", "Hasime", "Ina", "Jeta",
    "Kaltrina", "Lindita", "Majlinda", "Nora", "Olta", "Rovena", "Sonila", "Tatjana",
    "Valentina", "Xhuljeta", "Aurora", "Bora", "Dafina", "Edlira", "Fjoralba", "Greta",
    "Ilda", "Juliana", "Klodiana", "Leonora", "Manjola", "Najada", "Oriola", "Rajmonda",
    "Sidita", "Tefta", "Vjollca", "Zana", "Alketa", "Brunilda", "Denisa", "Enkeleida",
    "Fabiola", "Genta", "Ingrid", "Jola", "Kejsi", "Lediana", "Merita", "Nevila",
    "Ornela", "Rezarta", "Silvana", "Trëndelina", "Vera", "Xheni", "Ajkuna", "Bukurie",
    "Çiljeta", "Diella", "Ëngjëllushe", "Fërdeza", "Lirije", "Mirela", "Rita", "Shpresa",
    "Violeta", "Yllka", "Adelina", "Belina", "Dea", "Elona", "Floriana", "Gerta",
    "Ilirjana", "Klajdi", "Lorena", "Megi", "Nadia", "Esmeralda", "Rozana", "Sara",
    "Tea", "Xhoana", "Aida", "Erisa", "Kristina", "Amarilda",
];

/// Surnames.
#[rustfmt::skip]
pub const SURNAMES: &[&str] = &[
    "Hoxha", "Çela", "Këlliçi", "Dervishi", "Shehu", "Gjoka", "Leka", "Kola",
    "Prifti", "Marku", "Basha", "Berisha", "Dedja", "Duka", "Gjika", "Hysa",
    "Kapllani", "Lika", "Mema", "Muça", "Ndreu", "Osmani", "Peci", "Qosja",
    "Rama", "Sula", "Tafa", "Vata", "Xhafa", "Zeqiri", "Alia", "Bajrami",
    "Cani", "Dushku", "Elezi", "Frashëri", "Gega", "Hasani", "Ibrahimi", "Jaku",
    "Kodra", "Llazi", "Malaj", "Noka", "Përmeti", "Qirjako", "Rexha", "Shkurti",
    "Toska", "Ymeri", "Zenelaj", "Abazi", "Bregu", "Cenaj", "Dibra", "Fejzo",
    "Gjoni", "Haxhiu", "Isufi", "Kaçi", "Lleshi", "Meta", "Nushi", "Pasha",
    "Rrapaj", "Spahiu", "Tahiri", "Ujka", "Veliu", "Xhemali", "Bushati", "Çako",
    "Dema", "Fagu", "Gjini", "Hajdari", "Kastrati", "Lamaj", "Mustafaj", "Nela",
    "Pllumbi", "Qerimi", "Ruçi", "Selmani", "Tërshana", "Vokshi", "Zhupa", "Agolli",
    "Bici", "Çomo", "Daci", "Ferra", "Gjata", "Hida", "Imami", "Kasa",
    "Lala", "Mici", "Nano", "Papa", "Rustemi", "Sinani", "Tola", "Vangjeli",
    "Xhaferri", "Zaimi", "Bardhi", "Cukaj", "Dhima", "Ekonomi", "Gashi", "Hamzaj",
    "Kelmendi", "Luli", "Myftari", "Nikolli", "Pepa", "Rrumbullaku", "Shtylla", "Tushi",
    "Vrioni", "Zogu", "Begaj", "Çupi", "Demiri", "Fratari", "Gurra", "Hoti",
    "Kuka", "Lushi", "Mehmeti", "Ndoja", "Pjetri", "Qela", "Reka", "Sefa",
    "Tomori", "Uka", "Vorpsi", "Zeneli", "Balla", "Dalipi", "Kurti", "Mollaj",
    "Bego", "Topalli", "Xhixho", "Shala", "Kryemadhi", "Pollo", "Gjonaj", "Hyka",
    "Kalemi", "Llalla", "Murati", "Qato", "Rrokaj", "Sako", "Tase", "Vuçini",
    "Koçi", "Bëlla", "Dollani", "Qëndro", "Shkëmbi", "Luçi", "Mërtiri", "Kërçiku",
    "Përllaku", "Zyberi", "Brahimaj", "Doçi", "Filipi", "Gjergji", "Hysenaj", "Jonuzi",
    "Kukaj", "Lito", "Mara", "Nasi",
];

/// Cities with (name, cadastral prefix, domestic street names, market EUR/m2 apartment low, high).
pub const CITIES: &[City] = &[
    City { name: "Tiranë", prefix: "TR", zones: &[8270, 8230, 8160, 8220, 8150, 8260], eur_m2: (1200, 2500) },
    City { name: "Durrës", prefix: "DR", zones: &[8514, 8515, 8517, 8519], eur_m2: (900, 1700) },
    City { name: "Vlorë", prefix: "VL", zones: &[8601, 8602, 8603, 8608], eur_m2: (1000, 1900) },
    City { name: "Shkodër", prefix: "SH", zones: &[8542, 8543, 8547], eur_m2: (600, 1100) },
    City { name: "Elbasan", prefix: "EL", zones: &[8473, 8474], eur_m2: (450, 850) },
    City { name: "Korçë", prefix: "KO", zones: &[8501, 8502], eur_m2: (500, 900) },
    City { name: "Fier", prefix: "FR", zones: &[8481, 8483], eur_m2: (400, 800) },
    City { name: "Berat", prefix: "BR", zones: &[8401, 8402], eur_m2: (400, 750) },
];

/// A city: name, cadastral prefix, cadastral zones and the apartment market band in EUR per m2.
#[derive(Debug, Clone, Copy)]
pub struct City {
    /// City name as written in addresses.
    pub name: &'static str,
    /// Two-letter prefix of cadastral codes.
    pub prefix: &'static str,
    /// Cadastral zone numbers.
    pub zones: &'static [u32],
    /// Apartment market value band, EUR per m2 (low, high).
    pub eur_m2: (i64, i64),
}

/// Street names (Rruga ...) and boulevards.
#[rustfmt::skip]
pub const STREETS: &[&str] = &[
    "Rruga e Durrësit", "Rruga Myslym Shyri", "Bulevardi Dëshmorët e Kombit", "Rruga e Kavajës", "Rruga Sami Frashëri", "Rruga Ismail Qemali", "Rruga Abdi Toptani", "Rruga Ibrahim Rugova",
    "Rruga Muhamet Gjollesha", "Rruga Pjetër Bogdani", "Rruga Hoxha Tahsim", "Rruga Qemal Stafa", "Rruga Skënderbeu", "Rruga Naim Frashëri", "Rruga Fan Noli", "Rruga Gjergj Fishta",
    "Rruga Bajram Curri", "Rruga 28 Nëntori", "Rruga Çamëria", "Rruga Vaso Pasha", "Rruga Luigj Gurakuqi", "Rruga Migjeni", "Rruga Ali Demi", "Rruga Don Bosko",
    "Bulevardi Zogu I", "Rruga Frederik Shiroka", "Rruga Komuna e Parisit", "Rruga Mine Peza", "Lagjja 1 Maj", "Lagjja Kodra e Diellit", "Rruga Taulantia", "Rruga Egnatia",
];

/// Foreign streets and cities for shell companies (country code, city, street).
pub const FOREIGN_ADDR: &[(&str, &str, &str)] = &[
    ("CY", "Limassol", "Arch. Makariou III 155"),
    ("CY", "Nicosia", "Themistokli Dervi 48"),
    ("AE", "Dubai", "Jumeirah Lakes Towers, Cluster F"),
    ("GB", "London", "27 Old Gloucester Street"),
    ("MT", "Valletta", "Triq ir-Repubblika 112"),
    ("CH", "Lugano", "Via Nassa 21"),
];

/// Albanian banks: (name, 3-digit bank code).
pub const BANKS: &[(&str, &str)] = &[
    ("Banka Kombëtare Tregtare", "205"),
    ("Raiffeisen Bank", "202"),
    ("Credins Bank", "212"),
    ("Intesa Sanpaolo Bank Albania", "208"),
    ("OTP Bank Albania", "215"),
    ("Union Bank", "221"),
    ("ProCredit Bank", "209"),
    ("Tirana Bank", "206"),
];

/// Foreign banks for remittance senders: (country, bank name).
pub const FOREIGN_BANKS: &[(&str, &str)] = &[
    ("IT", "Intesa Sanpaolo S.p.A."),
    ("IT", "UniCredit S.p.A."),
    ("IT", "Poste Italiane"),
    ("GR", "Alpha Bank"),
    ("GR", "National Bank of Greece"),
    ("GR", "Piraeus Bank"),
    ("GB", "Barclays Bank"),
    ("GB", "HSBC UK"),
    ("GB", "Lloyds Bank"),
];

/// Words for company names.
pub const COMPANY_WORDS: &[&str] = &[
    "Alba",
    "Iliria",
    "Adriatik",
    "Jon",
    "Dardania",
    "Arbëria",
    "Teuta",
    "Shqiponja",
    "Vizion",
    "Kristal",
    "Euro",
    "Balkan",
    "Drini",
    "Vjosa",
    "Tomorri",
    "Dajti",
    "Butrinti",
    "Rozafa",
    "Korabi",
    "Lura",
    "Perla",
    "Fortesa",
    "Agimi",
    "Dielli",
    "Ylli",
    "Kompleks",
    "Mega",
    "Nova",
];

/// Business sectors and the suffix words they use in names.
pub const SECTORS: &[&str] = &[
    "Construction",
    "Trade",
    "Market",
    "Bar-Kafe",
    "Restorant",
    "Transport",
    "Ndërtim",
    "Import-Eksport",
    "Hotel",
    "Car Wash",
    "Farmaci",
    "Dyqan",
    "Agro",
    "Consulting",
    "Security",
    "Travel",
];

/// Sectors of front businesses (cash-intensive, docs/methodology.md#t-front-business).
pub const FRONT_SECTORS: &[&str] =
    &["Night Club", "Bar-Kafe", "Massage Center", "Car Wash", "Cleaning", "Hotel", "Restorant"];

/// Utility companies (name, sector).
pub const UTILITIES: &[&str] = &[
    "OSHEE SH.A.",
    "Ujësjellës Kanalizime Tiranë SH.A.",
    "One Albania SH.A.",
    "Vodafone Albania SH.A.",
    "Digitalb SH.A.",
];
