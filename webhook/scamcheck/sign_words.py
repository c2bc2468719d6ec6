"""The words that reveal each warning sign, in English, Khmer script and Latin-letter Khmer.

A sign's entry is a list of rules; a rule fires when every one of its groups matches somewhere in
the message. A group is alternatives separated by " | ": Latin alternatives are regular
expressions matched whole-word and case-blind; Khmer alternatives are plain words, normalised
like the message (SIL reordering, digits), and found anywhere (Khmer has no spaces).

Signs found from links and numbers (lookalike_domain, shortened_link, suspicious_link,
apk_file from a link, foreign_number) are added by links.py and phones.py.
"""

from __future__ import annotations

_ASK = ("send | give | tell | share | enter | type | forward | provide | reply with | read out "
        "| ផ្ញើ | ប្រាប់ | ឱ្យ | អោយ | បញ្ចូល | សុំ | វាយ | ចែករំលែក "
        "| phnheu | pnhe | phnhe | phnher | phnhoe | prab | brab | aoy | oy | som | bonchoul "
        "| vay | chek romlek")
_CODE = (r"otp | one[- ]?time (?:pass(?:word|code)?|code) | verification code | security code "
         r"| card number | cvv | cvc | expiry date | account password "
         r"| login code | sms code | \d-digit code | code | pin | passcode | password "
         r"| លេខកូដ | កូដ | លេខសម្ងាត់ | ពាក្យសម្ងាត់ | otp "
         r"| lek kod | lek code | kod | kot | lek sngat | peak sngat | pin")
_BANK = (r"aba | acleda | wing | canadia | prince bank | ftb | sathapana | bakong | amret "
         r"| hattha | chip mong | vattanac | national bank | nbc | bank | e-?wallet "
         r"| ធនាគារ | អេស៊ីលីដា | អេប៊ីអេ | វីង | បាគង "
         r"| thneakea | thoneakea | tho nea kea | thnea kea")
_ACCOUNT_ACTION = (r"verify | re-?activate | reactivate | confirm your | update your | suspend\w* "
                   r"| block(?:ed)? | lock(?:ed)? | frozen | freeze | log ?in | sign in | click "
                   r"| tap (?:the|this) link | expired? account | unusual activity "
                   r"| ផ្ទៀងផ្ទាត់ | បញ្ជាក់គណនី | ធ្វើបច្ចុប្បន្នភាព | ចុច | បិទគណនី | ត្រូវបានបិទ "
                   r"| ព្យួរ | បង្កក | ចូលគណនី "
                   r"| phdeang phdat | pdeang pdat | chuch | chuoch | chuc | bet kanany "
                   r"| bit kanany | bet account | bit account")
_MONEY = (r"money | cash | \$ ?\d+ | \d+ ?\$ | usd | dollars? | riels? | khr | transfer "
          r"| លុយ | ប្រាក់ | ដុល្លារ | រៀល | ផ្ទេរ "
          r"| luy | loy | lui | prak | dollar | rel | pter | phter")
_FEE = (r"(?:pay|transfer|send|deposit)\w* (?:\w+ ){0,3}(?:fee|deposit|tax|charge|insurance|"
        r"first|in advance|upfront|before) | (?:processing|registration|activation|unlock|"
        r"withdrawal|service|handling|release|clearance|customs|delivery) (?:fee|charge|tax) "
        r"| fee first | pay first | deposit first | pay the tax | tax before | before (?:you can )?"
        r"(?:withdraw|receive|get (?:the|your)) "
        r"| ថ្លៃសេវា | ថ្លៃដំណើរការ | ថ្លៃចុះឈ្មោះ | បង់មុន | បង់ប្រាក់មុន | ផ្ទេរមុន | កក់ប្រាក់ "
        r"| ប្រាក់កក់ | បង់ពន្ធ | ថ្លៃពន្ធ | ថ្លៃធានារ៉ាប់រង "
        r"| bong luy mun | bong mun | bang mun | thlai sevea | thlai sevaa | kak luy | kak prak "
        r"| bong pon | thlai pon | ter luy mun | pter mun")


def _words(*groups: str) -> list[str]:
    return list(groups)


SIGN_RULES: dict[str, list[list[str]]] = {
    "otp_request": [
        _words(_ASK, _CODE),
        _words(r"(?:what|which) is (?:the|your) (?:code|otp|pin) | code you (?:just )?received "
               r"| code (?:we|i) (?:just )?sent | កូដដែលទើបទទួល | កូដដែលបានទទួល "
               r"| kod del ban tortuol | kod del tortuol"),
    ],
    "upfront_fee": [_words(_FEE)],
    "prize": [
        _words(r"you(?:'ve| have)? won | winner | congratulations | lucky (?:draw|winner|number) "
               r"| prize | reward | free gift | claim your | jackpot | giveaway | congrats "
               r"| lottery | lucky customer | ឆ្នោត | អ្នកឈ្នះ | rongvan thom "
               r"| ឈ្នះរង្វាន់ | រង្វាន់ | អបអរសាទរ | ចាប់រង្វាន់ | បានឈ្នះ | chhnea rongvan "
               r"| chnea rongvan | rongvan | rangvan | rong van | ban chhnea | ban chnea"),
    ],
    "job_offer": [
        _words(r"jobs? | hiring | recruit\w* | vacanc\w+ | work from home | part[- ]time "
               r"| salary | like (?:videos|posts) | tasks? online | online tasks? "
               r"| ការងារ | ប្រាក់ខែ | ជ្រើសរើសបុគ្គលិក | ធ្វើការ | រកការងារ "
               r"| kar ngea | karngea | ka ngea | prak khe | brak khe | tver kar | twer ka",
               r"easy | high (?:pay|salary|income) | abroad | overseas | thailand | malaysia "
               r"| myanmar | dubai | no experience | per day | a day | daily | free "
               r"(?:ticket|travel|visa|flight|food|accommodation) | commission | \$ ?\d{3,} "
               r"| \d{3,} ?\$ | earn | ស្រួល | ខ្ពស់ | ក្រៅប្រទេស | ប្រទេសថៃ | ថៃ | ម៉ាឡេស៊ី "
               r"| មិនត្រូវការបទពិសោធន៍ | ក្នុងមួយថ្ងៃ | មួយថ្ងៃ | ធ្វើដំណើរដោយឥតគិតថ្លៃ "
               r"| កម្រៃជើងសារ | srol | srual | srul | khpous | kpous | krav prates | thai "
               r"| mouy thngai | muoy thngai | 1 thngai | min trov kar bot pisaot | ot bot pisaot"),
    ],
    "loan": [
        _words(r"loans? | lend\w* | borrow | credit | កម្ចី | ខ្ចីលុយ | ខ្ចីប្រាក់ | ប្រាក់កម្ចី "
               r"| kamchey | kamchei | kchey | khchey | kamjey",
               r"fast | quick | instant | approved? | no (?:document|collateral|guarantor)s? "
               r"| without (?:document|collateral)s? | low interest | guarantee\w* | app "
               r"| online | រហ័ស | ភ្លាមៗ | គ្មានឯកសារ | អនុម័ត | មិនត្រូវការ | ការប្រាក់ទាប "
               r"| app | rohas | phleam | plam | ot eksar | anumat | kar prak teab"),
    ],
    "investment_returns": [
        _words(r"invest\w* | trading | trader | crypto\w* | usdt | bitcoin | btc | forex | stocks? "
               r"| platform | វិនិយោគ | គ្រីបតូ | ជួញដូរ | ភាគហ៊ុន | vinioak | viniyok "
               r"| vinyok | vini yok | crypto",
               r"\d+ ?% | double | guarantee\w* | daily (?:profit|income|return) | profits? "
               r"| returns? | no risk | risk[- ]free | ចំណេញ | ធានា | ទ្វេដង | រៀងរាល់ថ្ងៃ "
               r"| គ្មានហានិភ័យ | chomnenh | chamnenh | chomnej | theana | tvee dong"),
    ],
    "romance": [
        _words(r"my (?:love|dear|darling|honey|baby|sweetheart) | i love you | marry (?:you|me) "
               r"| sweetheart | darling | soulmate | ស្រលាញ់ | សម្លាញ់ | រៀបការ | អូនសម្លាញ់ "
               r"| srolanh | sro lanh | somlanh | som lanh | reab ka | riep ka",
               r"money | send | gift | customs | parcel | invest | help me | ticket | visa "
               r"| hospital | លុយ | ផ្ញើ | កាដូ | អំណោយ | វិនិយោគ | luy | loy | phnheu | kado"),
    ],
    "money_request": [
        _words(r"(?:send|transfer|lend|give|wire) (?:me |us )?(?:some |the )?(?:money|cash|\$|"
               r"usd|dollars?|riels?|\d+ ?(?:\$|usd|dollars?|riels?)) | borrow (?:some )?money "
               r"| need (?:some )?money "
               r"| pay (?:me |us )?(?:\$ ?\d+|\d+ ?(?:\$|usd|dollars?)) "
               r"| top ?up (?:for|my) | ផ្ទេរលុយ | ផ្ញើលុយ | ខ្ចីលុយ | សុំលុយ | វេរលុយ "
               r"| ផ្ទេរប្រាក់ | ផ្ញើប្រាក់ | ជួយលុយ | ter luy | pter luy | phter luy | phnheu luy "
               r"| pnhe luy | khchey luy | kchey luy | som luy | ver luy | juy luy | chuoy luy"),
    ],
    "urgency_threat": [
        _words(r"(?:account|card|wallet|page) (?:has been |have been |is |was |will be )?"
               r"(?:suspended|blocked|locked|compromised|frozen|deactivated|closed|disabled) "
               r"| urgent\w* | immediately | right now | within \d+ ?(?:hours?|minutes?|mins?|h) "
               r"| today only | last chance | act now | asap | will be (?:blocked|suspended|closed|"
               r"deleted|locked|arrested|fined) | arrest\w* | legal action | penalty "
               r"| បន្ទាន់ | ភ្លាមៗ | ក្នុងរយៈពេល | ចាប់ខ្លួន | នឹងត្រូវបិទ | ផាកពិន័យ | ពិន័យ "
               r"| ចំណាត់ការតាមផ្លូវច្បាប់ | bontoan | ban toan | phleam phleam | chab khloun "
               r"| chab khluon | pak pinery | pinery"),
    ],
    "impersonation_bank": [_words(_BANK, _ACCOUNT_ACTION)],
    "impersonation_government": [
        _words(r"ministry | government | tax department | general department | gdt "
               r"| immigration | court | customs | authorit(?:y|ies) | national id "
               r"| ក្រសួង | រាជរដ្ឋាភិបាល | រដ្ឋាភិបាល | អគ្គនាយកដ្ឋាន | ពន្ធដារ | តុលាការ "
               r"| គយ | krosuong | krasuong | rodaphibal | rodthaphibal | ronaphibal",
               r"verify | fine | pay | fee | penalty | click | suspend\w* | arrest\w* "
               r"| tax refund | subsidy | allowance | cash support | claim | transfer "
               r"| ពិន័យ | បង់ | ចុច | ផ្ទៀងផ្ទាត់ | ឧបត្ថម្ភ | ប្រាក់ឧបត្ថម្ភ | ផ្ទេរ "
               r"| pinery | bong | chuch | pdeang pdat | ubatham | upatham"),
    ],
    "impersonation_police": [
        _words(r"police | officer | cyber ?crime | interpol | arrest warrant | investigator "
               r"| ប៉ូលីស | នគរបាល | មន្ត្រី | polis | police | nokorbal | norkorbal",
               r"arrest\w* | fine | pay | transfer | case | money laundering | launder\w* "
               r"| warrant | drugs? | parcel | verify | ចាប់ខ្លួន | ពិន័យ | ផ្ទេរ | ករណី "
               r"| លាងលុយ | លាងប្រាក់ | គ្រឿងញៀន | ញៀន | កញ្ចប់ | chab | pinery | pter luy "
               r"| leang luy | krueng nhean"),
    ],
    "impersonation_facebook": [
        _words(r"facebook | meta | fb | instagram | page | ហ្វេសប៊ុក | ផេក | មេតា | hvesbuk",
               r"violat\w* | disabled | will be (?:deleted|removed|suspended) | appeal "
               r"| copyright | blue (?:badge|tick) | verified badge | community standards "
               r"| restricted | unpublished | រំលោភ | នឹងត្រូវលុប | នឹងត្រូវបិទ | ដាក់ពាក្យ "
               r"| បណ្តឹងឧទ្ធរណ៍ | romlorp | romlop"),
    ],
    "move_to_private_chat": [
        _words(r"telegram | whatsapp | wechat | line app | signal app | viber "
               r"| (?:add|contact|message|chat with) me on | inbox me | dm me "
               r"| តេឡេក្រាម | ថេឡេក្រាម | តេលេក្រាម | វ៉ាត់សាប់ | ឆាតឯកជន | telegram | tele"),
    ],
    "fake_payment_proof": [
        _words(r"(?:sent|transferred|paid|transfer) (?:\S+ ){0,5}(?:by mistake|by accident|"
               r"too much|extra|wrong(?: number| account)?) | ផ្ទេរខុស | ផ្ទេរច្រើនពេក "
               r"| ផ្ញើខុស | ផ្ទេរលើស | pter khos | ter khos | phter khos | pter loeus",
               r"back | return | refund | ផ្ទេរមកវិញ | សងវិញ | ត្រឡប់ | វិញ | mok vinh | vinh"),
        _words(r"receipt | screenshot | slip | proof of (?:payment|transfer) | បង្កាន់ដៃ | រូបថតអេក្រង់ "
               r"| vikayabat | bangkan dai",
               r"already (?:paid|transferred|sent) | send (?:the )?(?:goods|item|product)s? "
               r"| ship (?:it )?now | pending | will arrive | បានផ្ទេររួច | ផ្ញើទំនិញ "
               r"| ban pter hz | ban pter huey"),
    ],
    "qr_to_receive": [
        _words(r"qr | khqr | scan | ស្កេន | ស្គែន | skan | sken",
               r"(?:to )?receive | get (?:the|your) (?:money|prize|refund|payment) | claim "
               r"| collect | refund | ទទួល | ទទួលលុយ | ទទួលប្រាក់ | tortuol | totuol | ttuol | tortuel"),
    ],
    "account_rental": [
        _words(r"rent | lend | sell | buy | borrow | use | open | ជួល | លក់ | ទិញ | ខ្ចី | បើក "
               r"| jol | chuol | chhuol | lok | tinh | khchey | baek | bek",
               r"bank accounts? | (?:aba|acleda|wing) accounts? | sim(?: card)?s? | id cards? "
               r"| wallet | your account | គណនីធនាគារ | គណនី | ស៊ីម | អត្តសញ្ញាណប័ណ្ណ "
               r"| kanany | kanoni | kon ny | sim | attasanhanaban",
               r"\$ ?\d+ | \d+ ?\$ | commission | earn | per month | a month | pay you | fee "
               r"| income | រកលុយ | ខែ | ដុល្លារ | កម្រៃ | luy | khe | dollar"),
    ],
    "remote_access_app": [
        _words(r"anydesk | teamviewer | rustdesk | quicksupport | airdroid | ultraviewer "
               r"| screen ?shar\w* | share (?:your|the) screen | remote (?:access|control) "
               r"| ចែករំលែកអេក្រង់ | បញ្ជាពីចម្ងាយ"),
    ],
    "apk_file": [
        _words(r"\w+\.apk | apk file | install (?:the |this )?apk | \.apk | ឯកសារ apk "
               r"| ដំឡើង apk | install app from (?:this )?link | download (?:the |this )?app "
               r"from (?:this )?link"),
    ],
    "sextortion": [
        _words(r"(?:share|post|send|publish|upload|leak)\w* (?:\S+ ){0,3}(?:photos?|videos?|"
               r"pictures?|pics|nudes?) | (?:photos?|videos?|pictures?) (?:\S+ ){0,3}(?:to|with) "
               r"(?:your )?(?:friends|family|everyone) | បង្ហោះរូប | បង្ហោះវីដេអូ "
               r"| ផ្សព្វផ្សាយរូប | ចែករំលែករូប | ផ្ញើរូបទៅ | bonghaoh rup | post rup",
               r"pay | money | \$ ?\d+ | \d+ ?\$ | usd | unless | or else | if you don't "
               r"| លុយ | ប្រាក់ | ផ្ទេរ | បង់ | បើមិន | luy | pter | bong"),
    ],
    "secrecy": [
        _words(r"(?:don't|do not|dont) tell (?:anyone|anybody|your family|the bank) "
               r"| keep (?:it|this) (?:a )?secret | between us | កុំប្រាប់អ្នកណា | កុំប្រាប់នរណា "
               r"| រក្សាការសម្ងាត់ | kom prab nak na | kom brab neak na"),
    ],
}

# A sign is not counted when the words just before it negate or warn ("never share your OTP",
# "កុំប្រាប់លេខកូដ"): Latin negations are whole words; Khmer ones stand right before the words.
LATIN_NEGATIONS = r"(?:do not|don't|dont|never|not|no one|nobody|won't|kom|kum|min dael|mindel)"
KHMER_NEGATIONS = "(?:មិនដែល|កុំ|មិន)"
