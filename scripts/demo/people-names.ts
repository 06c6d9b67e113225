import type { Sex } from '../../services/store/database';
import type { Random } from './random';

/**
 * Built-in name lists for fictional pupils: common given names and surnames of the communities
 * found in Lincolnshire schools. Any match with a real child is coincidence; combinations are drawn
 * at random. Diacritics are left out, as many school systems do.
 */

/** A surname that changes with sex (Polish -ski/-ska, Lithuanian -as/-aite, ...): [male, female]. */
type Surname = string | readonly [string, string];

interface NamePool {
  boys: readonly string[];
  girls: readonly string[];
  surnames: readonly Surname[];
}

const words = (text: string): string[] => text.trim().split(/\s+/);
const pairs = (text: string): (readonly [string, string])[] =>
  words(text).map((p) => {
    const [m, f] = p.split('/');
    return [m!, f!] as const;
  });

const ENGLISH: NamePool = {
  boys: words(`Oliver George Noah Arthur Harry Leo Jack Charlie Oscar Jacob Henry Thomas Freddie Alfie Theo William
    Theodore Archie Joshua Alexander James Isaac Edward Lucas Tommy Finley Max Logan Ethan Mason Harrison Joseph Samuel
    Daniel Riley Dylan Jayden Lewis Tyler Ryan Callum Kieran Connor Liam Jake Luke Matthew Benjamin Adam Reuben Toby
    Louie Frankie Bobby Ronnie Albie Teddy Jenson Kai Caleb Nathan Owen Harley Ellis Brandon Bradley Ashton Sonny Elliot
    Jude Rory Hugo Felix Stanley Ralph Louis Jamie Sebastian Zachary Aaron Cameron Declan Kyle Morgan Alfred Ezra Rhys`),
  girls: words(`Olivia Amelia Isla Ava Mia Ivy Lily Isabella Rosie Sophia Grace Freya Willow Florence Emily Ella Poppy
    Evie Elsie Charlotte Evelyn Sienna Sofia Daisy Phoebe Sophie Alice Harper Matilda Ruby Emilia Maya Isabelle Millie
    Eva Chloe Jessica Ellie Lucy Holly Megan Hannah Lacey Scarlett Layla Esme Imogen Erin Abigail Lola Molly Amber
    Bethany Katie Lauren Eleanor Harriet Summer Maisie Darcy Lexi Aria Luna Thea Elizabeth Rebecca Katherine Isabel
    Georgia Leah Jasmine Courtney Madison Tilly Hollie Mollie Niamh Orla Edie Nancy Violet Mabel Beatrice Kayla Caitlin`),
  surnames: words(`Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson Evans Walker White
    Roberts Green Hall Wood Jackson Clarke Hughes Edwards Turner Lewis Harris Martin Cooper Hill Ward Morris Moore Clark
    King Harrison Baker Lee Allen Young Dawson Parker Marshall Cook Bell Mason Scott Fox Chapman Atkinson Sharpe Bailey
    Holmes Kirk Bird Pickering Hewson Tointon Skipworth Brackenbury Cammack Dring Spikins Codd Ancliff Borrill Epton
    Leggate Odling Pask Quickfall Rippin Scarborough Tuplin Wass Stennett Sutton Fisher Barker Hudson Watson Carter
    Webster Dixon Foster Knight Ellis Mills Newton Palmer Rowe Simpson Stevens Tucker Walsh Wells Bradley Burton Cross
    Dickinson Elston Goodwin Hurst Lambert Marriott Nixon Oldham Pearson Radford Slater Thornton Vickers Willoughby
    Blanchard Cropley Freeman Garner Heppenstall Ingall Jessop Kitching Lowther Middleton Naylor Otter Proctor Redmore`),
};

const IRISH: NamePool = {
  boys: words('Sean Ciaran Conor Cian Oisin Patrick Aidan Niall Darragh Ronan Cillian Eoin'),
  girls: words('Niamh Aoife Siobhan Ciara Roisin Saoirse Orla Clodagh Grainne Aisling Sinead Caoimhe'),
  surnames: words(`Murphy Kelly O'Brien Byrne Ryan O'Sullivan Walsh McCarthy Doyle Gallagher Quinn Brennan Kennedy Lynch`),
};

const IRISH_TRAVELLER: NamePool = {
  boys: words('Patrick Michael John Johnny Martin Thomas Christy Paddy Francie Willie Jimmy Edward Bernard Dan'),
  girls: words('Bridget Margaret Mary Kathleen Nora Winnie Josie Ellen Chelsea Bernadette Nellie Brigid Rose'),
  surnames: words(`McDonagh Ward Joyce Connors McDonnell Maughan Stokes Sweeney Cash O'Reilly Doherty Delaney Collins`),
};

const ENGLISH_ROMANY: NamePool = {
  boys: words('Levi Elijah Jimmy Jesse Tom Joe Henry Noah Nelson Reuben Albert Billy Lenny Isaiah'),
  girls: words('Lucy Shannon Eliza Caroline Violet Queenie Britney Louisa Priscilla Tiffany Minnie Rosie Lilly'),
  surnames: words('Smith Lee Price Boswell Lovell Loveridge Cooper Buckley Wood Taylor Gray Heron Herne Ayres Finney Brazil'),
};

const EUROPEAN_ROMA: NamePool = {
  boys: words('Marek Roman Dominik Patrik Tomas Erik Alex David Daniel Mario Florin Ionut Robert Denis'),
  girls: words('Denisa Simona Nikola Vanesa Kristina Monika Andreea Bianca Sara Klaudia Natalia Veronika'),
  surnames: words('Balog Horvath Lakatos Kotlar Rostas Dudas Gabor Sarkozi Pompa Mirga Ciuraru Stoica Radu Gunar'),
};

const POLISH: NamePool = {
  boys: words(`Jakub Kacper Szymon Filip Antoni Jan Aleksander Franciszek Mikolaj Wojciech Bartosz Piotr Mateusz
    Oskar Igor Dawid Michal Adrian Patryk Kamil Marcel Nikodem`),
  girls: words(`Zuzanna Julia Maja Zofia Hanna Lena Alicja Oliwia Natalia Wiktoria Amelia Aleksandra Lilianna Gabriela
    Martyna Nikola Karolina Weronika Emilia Kinga Pola Nadia`),
  surnames: [
    ...pairs(`Kowalski/Kowalska Wisniewski/Wisniewska Lewandowski/Lewandowska Zielinski/Zielinska Szymanski/Szymanska
      Dabrowski/Dabrowska Kozlowski/Kozlowska Jankowski/Jankowska Kwiatkowski/Kwiatkowska Piotrowski/Piotrowska
      Grabowski/Grabowska Kaminski/Kaminska Pawlowski/Pawlowska Michalski/Michalska Jablonski/Jablonska
      Nowicki/Nowicka Majewski/Majewska Olszewski/Olszewska Malinowski/Malinowska`),
    ...words('Nowak Wozniak Mazur Krawczyk Wojcik Kaczmarek Zajac Krol Wieczorek Wrobel Stepien Sikora Baran Dudek'),
  ],
};

const LITHUANIAN: NamePool = {
  boys: words('Matas Lukas Jokubas Dominykas Nojus Kajus Dovydas Augustas Emilis Rokas Mantas Tomas Arnas Benas'),
  girls: words('Emilija Sofija Ugne Austeja Gabija Kamile Urte Lukne Ieva Migle Gabriele Viktorija Liepa Amelija'),
  surnames: pairs(`Kazlauskas/Kazlauskaite Petrauskas/Petrauskaite Jankauskas/Jankauskaite Stankevicius/Stankeviciute
    Vasiliauskas/Vasiliauskaite Zukauskas/Zukauskaite Butkus/Butkute Paulauskas/Paulauskaite Urbonas/Urbonaite
    Kavaliauskas/Kavaliauskaite Navickas/Navickaite Ramanauskas/Ramanauskaite Baranauskas/Baranauskaite`),
};

const LATVIAN: NamePool = {
  boys: words('Roberts Markuss Gustavs Kristaps Daniels Martins Ralfs Emils Janis Rihards Olivers'),
  girls: words('Sofija Alise Anna Marta Elizabete Evelina Laura Paula Katrina Estere Emilija'),
  surnames: pairs(`Berzins/Berzina Kalnins/Kalnina Ozols/Ozola Jansons/Jansone Ozolins/Ozolina Liepins/Liepina
    Krumins/Krumina Balodis/Balode Petersons/Petersone Vitols/Vitola`),
};

const ROMANIAN: NamePool = {
  boys: words('Andrei Ionut Alexandru David Stefan Mihai Gabriel Darius Luca Matei Rares Vlad Sebastian'),
  girls: words('Maria Ioana Andreea Elena Bianca Alexandra Daria Sara Antonia Ana Denisa Larisa Ilinca'),
  surnames: words('Popescu Ionescu Popa Stan Dumitru Constantin Munteanu Rusu Lazar Marin Tudor Dinu Ciobanu Moldovan Ilie'),
};

const BULGARIAN: NamePool = {
  boys: words('Georgi Aleksandar Martin Nikolay Ivan Dimitar Kaloyan Viktor Borislav Stefan'),
  girls: words('Viktoria Maria Gabriela Nikol Raya Yoana Desislava Kalina Elena Siyana'),
  surnames: pairs(`Ivanov/Ivanova Georgiev/Georgieva Dimitrov/Dimitrova Petrov/Petrova Nikolov/Nikolova
    Stoyanov/Stoyanova Todorov/Todorova Kolev/Koleva Angelov/Angelova Yordanov/Yordanova`),
};

const PORTUGUESE: NamePool = {
  boys: words('Tiago Rodrigo Joao Martim Goncalo Diogo Duarte Afonso Tomas Rafael Santiago'),
  girls: words('Beatriz Leonor Mariana Matilde Carolina Ines Margarida Lara Francisca Ana Sofia'),
  surnames: words('Silva Santos Ferreira Pereira Oliveira Costa Rodrigues Martins Sousa Fernandes Goncalves Gomes Lopes Marques'),
};

const INDIAN: NamePool = {
  boys: words('Arjun Aarav Vihaan Rohan Krish Dev Aryan Ishaan Jai Harjot Gurveer Ravi Sahil Kabir Reyansh'),
  girls: words('Priya Anaya Diya Aanya Isha Riya Saanvi Simran Jasleen Navya Meera Kavya Anika Tara'),
  surnames: words('Patel Sharma Singh Kumar Gupta Shah Mistry Desai Joshi Nair Reddy Gill Sandhu Dhillon Bains Chauhan Mehta'),
};

const PAKISTANI: NamePool = {
  boys: words('Muhammad Mohammed Ibrahim Yusuf Zain Ayaan Hamza Ali Bilal Hassan Umar Zakariya Rayyan Haris'),
  girls: words('Aisha Maryam Fatima Zara Inaya Hafsa Amina Zainab Safa Hania Aleena Mehwish Anaya'),
  surnames: words('Khan Hussain Ahmed Ali Iqbal Akhtar Mahmood Shah Butt Rashid Malik Aslam Raza Javed'),
};

const BANGLADESHI: NamePool = {
  boys: words('Mohammed Rayhan Tahmid Arif Sami Nafis Adnan Ishaq Ayan Zayan'),
  girls: words('Tasnim Nusrat Sumaiya Afia Mariam Tahira Sadia Ruqayyah Raisa Samira'),
  surnames: words('Rahman Uddin Miah Islam Hossain Chowdhury Ahmed Alam Karim Haque'),
};

const OTHER_ASIAN: NamePool = {
  boys: words('Angelo Carlo Joshua Gabriel Nathan Tharun Kiran Aayush Sujan Ahmad Farhad Prabin Janith'),
  girls: words('Angel Princess Althea Janelle Nicole Tharsha Anjali Pratiksha Sita Mursal Nazia Sanduni'),
  surnames: words('Santos Reyes Cruz Garcia Mendoza Gurung Thapa Rai Tamang Sivakumar Rajan Ahmadzai Karimi Hashimi Perera'),
};

const AFRICAN: NamePool = {
  boys: words(`Chidera Tobi Tolu David Daniel Samuel Emmanuel Kwame Kofi Tendai Tinashe Abdi Mohamed Joshua Emeka
    Kelechi Ayomide Nathaniel Divine Jayden`),
  girls: words(`Adaeze Chioma Tolani Esther Blessing Favour Precious Amara Zainab Hodan Ruvimbo Nyasha Abena Ama
    Deborah Tanatswa`),
  surnames: words(`Okafor Okeke Adeyemi Adebayo Oladipo Mensah Owusu Boateng Asante Moyo Ncube Dube Mohamud Abdi Osei
    Nwosu Eze Ogunleye Chikwanha Mutasa`),
};

const CARIBBEAN: NamePool = {
  boys: words('Jaden Tyrese Kai Malachi Josiah Isaiah Reuben Jermaine Kyle Marcus Elijah Levi Jayden Tyler'),
  girls: words('Aaliyah Jada Shanice Kiara Tia Leah Keisha Amani Nia Imani Tiana Chantelle'),
  surnames: words('Campbell Brown Williams Thompson Francis Grant Gordon Reid Henry Barrett Clarke Morgan Bailey Powell Edwards'),
};

const CHINESE: NamePool = {
  boys: words('Jun Hao Yi Wei Zihan Ethan Jason Kevin Ryan Daniel Yuxuan Haoran'),
  girls: words('Mei Xinyi Yutong Jia Wing Chloe Emily Grace Joanna Zixuan Ruoxi'),
  surnames: words('Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Lin Cheung Wong Chan Lam'),
};

const MIDDLE_EASTERN: NamePool = {
  boys: words('Omar Yusuf Ahmed Karwan Dilan Emre Mehmet Ali Adam Aras Hussein Mustafa Zana'),
  girls: words('Lana Sara Nour Huda Rozhin Elif Zeynep Layla Yasmin Darya Reem Hana Shilan'),
  surnames: words('Ahmed Hassan Mohammed Abdullah Rahimi Karimi Yilmaz Demir Kaya Aziz Salih Mahmoud Omer Rostami'),
};

type Part = readonly (readonly [NamePool, number])[];

/** Forename and surname sources per DfE ethnicity code: [pool, weight] for each part. */
const ORIGINS: Record<string, { forename: Part; surname: Part }> = {
  WBRI: { forename: [[ENGLISH, 1]], surname: [[ENGLISH, 1]] },
  WIRI: { forename: [[IRISH, 0.6], [ENGLISH, 0.4]], surname: [[IRISH, 1]] },
  WIRT: { forename: [[IRISH_TRAVELLER, 1]], surname: [[IRISH_TRAVELLER, 1]] },
  WROM: { forename: [[ENGLISH_ROMANY, 0.5], [EUROPEAN_ROMA, 0.5]], surname: [[ENGLISH_ROMANY, 0.5], [EUROPEAN_ROMA, 0.5]] },
  WOTH: {
    forename: [[POLISH, 0.35], [LITHUANIAN, 0.25], [LATVIAN, 0.12], [ROMANIAN, 0.13], [BULGARIAN, 0.07], [PORTUGUESE, 0.08]],
    surname: [],
  },
  MWBC: { forename: [[ENGLISH, 0.5], [CARIBBEAN, 0.5]], surname: [[ENGLISH, 0.6], [CARIBBEAN, 0.4]] },
  MWBA: { forename: [[ENGLISH, 0.6], [AFRICAN, 0.4]], surname: [[ENGLISH, 0.5], [AFRICAN, 0.5]] },
  MWAS: { forename: [[ENGLISH, 0.6], [INDIAN, 0.2], [PAKISTANI, 0.2]], surname: [[ENGLISH, 0.5], [INDIAN, 0.25], [PAKISTANI, 0.25]] },
  MOTH: { forename: [[ENGLISH, 0.8], [MIDDLE_EASTERN, 0.2]], surname: [[ENGLISH, 0.5], [MIDDLE_EASTERN, 0.2], [PORTUGUESE, 0.15], [CHINESE, 0.15]] },
  AIND: { forename: [[INDIAN, 1]], surname: [[INDIAN, 1]] },
  APKN: { forename: [[PAKISTANI, 1]], surname: [[PAKISTANI, 1]] },
  ABAN: { forename: [[BANGLADESHI, 1]], surname: [[BANGLADESHI, 1]] },
  AOTH: { forename: [[OTHER_ASIAN, 1]], surname: [[OTHER_ASIAN, 1]] },
  BCRB: { forename: [[CARIBBEAN, 0.7], [ENGLISH, 0.3]], surname: [[CARIBBEAN, 1]] },
  BAFR: { forename: [[AFRICAN, 1]], surname: [[AFRICAN, 1]] },
  BOTH: { forename: [[AFRICAN, 0.5], [CARIBBEAN, 0.5]], surname: [[AFRICAN, 0.5], [CARIBBEAN, 0.5]] },
  CHNE: { forename: [[CHINESE, 1]], surname: [[CHINESE, 1]] },
  OOTH: { forename: [[MIDDLE_EASTERN, 1]], surname: [[MIDDLE_EASTERN, 1]] },
  REFU: { forename: [[ENGLISH, 0.9], [POLISH, 0.1]], surname: [[ENGLISH, 0.9], [POLISH, 0.1]] },
  NOBT: { forename: [[ENGLISH, 0.6], [POLISH, 0.2], [ROMANIAN, 0.2]], surname: [] },
};

function pickPool(part: Part, random: Random): NamePool {
  let r = random.next() * part.reduce((s, [, w]) => s + w, 0);
  for (const [pool, weight] of part) {
    r -= weight;
    if (r < 0) return pool;
  }
  return part[part.length - 1]![0];
}

function surnameFor(entry: Surname, sex: Sex): string {
  return typeof entry === 'string' ? entry : sex === 'M' ? entry[0] : entry[1];
}

/** Familiar short forms a pupil may be known by. */
const SHORT_FORMS: Record<string, readonly string[]> = {
  Alexander: ['Alex', 'Xander'],
  Oliver: ['Ollie', 'Olly'],
  Thomas: ['Tom', 'Tommy'],
  William: ['Will', 'Billy', 'Liam'],
  Samuel: ['Sam', 'Sammy'],
  Joseph: ['Joe', 'Joey'],
  Benjamin: ['Ben', 'Benji'],
  Jacob: ['Jake'],
  Matthew: ['Matt'],
  Daniel: ['Dan', 'Danny'],
  James: ['Jim', 'Jamie'],
  Edward: ['Ed', 'Eddie', 'Ted'],
  Theodore: ['Theo', 'Teddy'],
  Frederick: ['Freddie'],
  Sebastian: ['Seb'],
  Zachary: ['Zach'],
  Nathaniel: ['Nate'],
  Elizabeth: ['Libby', 'Lizzie', 'Beth'],
  Isabella: ['Bella', 'Izzy'],
  Isabelle: ['Izzy'],
  Charlotte: ['Lottie', 'Charlie'],
  Eleanor: ['Ellie', 'Nell'],
  Florence: ['Flo', 'Florrie'],
  Katherine: ['Kate', 'Katie', 'Kitty'],
  Rebecca: ['Becky', 'Becca'],
  Jessica: ['Jess'],
  Harriet: ['Hattie'],
  Matilda: ['Tilly'],
  Abigail: ['Abi', 'Abby'],
  Alexandra: ['Alex', 'Sasha'],
  Aleksandra: ['Ola', 'Alex'],
  Aleksander: ['Olek', 'Alex'],
  Mikolaj: ['Nick'],
  Wojciech: ['Voytek'],
  Zuzanna: ['Zuzia', 'Suzie'],
  Muhammad: ['Mo'],
  Mohammed: ['Mo'],
  Oluwaseun: ['Seun'],
  Chidera: ['Chidi'],
  Kaloyan: ['Kaly'],
  Dominykas: ['Dom'],
  Jokubas: ['Jacob'],
  Yuxuan: ['Ethan'],
  Zixuan: ['Zoe'],
  Patrick: ['Paddy'],
  Margaret: ['Maggie'],
  Bridget: ['Biddy'],
};

export interface PupilName {
  forename: string;
  surname: string;
  preferred: string | null;
}

export function pupilName(ethnicity: string, sex: Sex, random: Random): PupilName {
  const origin = ORIGINS[ethnicity] ?? ORIGINS.WBRI!;
  const forenamePool = pickPool(origin.forename, random);
  // Empty surname part: the family name comes from the same community as the given name.
  const surnamePool = origin.surname.length ? pickPool(origin.surname, random) : forenamePool;
  const forename = random.pick(sex === 'M' ? forenamePool.boys : forenamePool.girls);
  const surname = surnameFor(random.pick(surnamePool.surnames), sex);
  const shortForms = SHORT_FORMS[forename];
  const preferred = shortForms && random.chance(0.3) ? random.pick(shortForms) : null;
  return { forename, surname, preferred };
}
