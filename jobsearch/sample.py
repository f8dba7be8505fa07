"""Synthetic job postings: the pipeline's offline, deterministic default data source.

Postings look like scraped ones (varied section order and headings, bullet glyphs,
some HTML, a few run-together texts where markup was stripped) and span many
occupations, each with its own pool of specialised skills. Neighbouring families
share some skills (Python/SQL across data roles, Kubernetes across platform roles,
Epic EHR across clinical roles) so that retrieval over them is not trivial.

Each posting draws from its own RNG seeded by ``(seed, index)``, so generating more
postings never changes the earlier ones.
"""

from __future__ import annotations

import html
import operator
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import pandas as pd

COLUMNS = (
    "job_id",
    "title",
    "company",
    "location",
    "description",
    "skills",
    "experience_level",
    "role_family",
)
T = TypeVar("T")


@dataclass(frozen=True)
class RoleFamily:
    """One occupation: titles, specialised skills, and text to build its postings from."""

    key: str  # value of the ``role_family`` column
    titles: tuple[str, ...]  # base title variants (seniority is prefixed per posting)
    head_titles: tuple[str, ...]  # director-level titles
    skills: tuple[str, ...]  # specialised tools / techniques
    certs: tuple[str, ...]  # licences and certifications (also listed as skills)
    duties: tuple[str, ...]  # family-specific responsibility sentences
    domain: str  # "... years of experience in <domain>"
    summary: str  # "As a <title>, you will <summary>."
    team: str
    education: tuple[str, ...]
    industries: tuple[str, ...]  # keys of _INDUSTRIES
    kind: str  # tech | office | clinical | trade | education | hospitality
    pay: tuple[float, float]  # mid-level range: annual USD, or hourly when < 1000


def _fam(
    key: str,
    titles: list[str],
    head: list[str],
    skills: list[str],
    certs: list[str],
    duties: list[str],
    domain: str,
    summary: str,
    team: str,
    education: list[str],
    industries: list[str],
    kind: str,
    pay: tuple[float, float],
) -> RoleFamily:
    return RoleFamily(
        key, tuple(titles), tuple(head), tuple(skills), tuple(certs), tuple(duties),
        domain, summary, team, tuple(education), tuple(industries), kind, pay,
    )


_STEM_DEGREE = "Bachelor's degree in Computer Science, Engineering, or a related field, or equivalent experience."
_QUANT_DEGREE = "Master's or PhD in Statistics, Computer Science, Economics, Physics, or a related quantitative field."

ROLE_FAMILIES: tuple[RoleFamily, ...] = (
    # ---- data / AI -------------------------------------------------------------
    _fam(
        "data_scientist",
        ["Data Scientist", "Applied Scientist", "Decision Scientist"],
        ["Director of Data Science", "Head of Data Science"],
        ["Python", "SQL", "pandas", "scikit-learn", "XGBoost", "A/B testing", "causal inference",
         "time series forecasting", "Bayesian statistics", "feature engineering", "Spark",
         "statsmodels", "R", "experiment design", "survival analysis", "Databricks", "Jupyter"],
        [],
        ["Build and validate predictive models that inform product, pricing, and marketing decisions.",
         "Design and analyze experiments to measure the impact of new features.",
         "Translate ambiguous business questions into well-scoped analyses.",
         "Present findings and recommendations to technical and non-technical stakeholders.",
         "Partner with data engineers to productionize models and monitor their performance.",
         "Define metrics and build the analytical foundations for new products."],
        "data science or applied statistics",
        "turn data into models and insights that drive business decisions",
        "Data Science",
        [_QUANT_DEGREE, "Bachelor's degree in a quantitative field; an advanced degree is a plus."],
        ["tech", "finance", "health", "retail", "insurance"],
        "tech", (120_000, 165_000),
    ),
    _fam(
        "ml_engineer",
        ["Machine Learning Engineer", "ML Engineer", "AI Engineer"],
        ["Director of Machine Learning", "Head of AI Engineering"],
        ["Python", "PyTorch", "TensorFlow", "scikit-learn", "model serving", "feature stores",
         "Kubernetes", "Docker", "Ray", "ONNX", "distributed training", "CUDA",
         "recommendation systems", "SageMaker", "vector databases", "Triton Inference Server"],
        [],
        ["Design, train, and deploy machine learning models that serve millions of requests a day.",
         "Build scalable training and inference pipelines.",
         "Optimize model latency and cost in production.",
         "Own the full lifecycle of ML features from prototype to monitoring.",
         "Work with research scientists to turn prototypes into reliable services.",
         "Improve offline and online evaluation of ranking and recommendation models."],
        "machine learning engineering",
        "build and ship machine learning systems in production",
        "Machine Learning Platform",
        [_STEM_DEGREE, "MS or PhD in Computer Science or Machine Learning preferred."],
        ["tech", "retail", "finance"],
        "tech", (140_000, 190_000),
    ),
    _fam(
        "data_engineer",
        ["Data Engineer", "Big Data Engineer", "Data Platform Engineer"],
        ["Director of Data Engineering", "Head of Data Platform"],
        ["Python", "SQL", "Apache Spark", "Airflow", "Kafka", "dbt", "Snowflake", "BigQuery",
         "Redshift", "AWS Glue", "Delta Lake", "data modeling", "ETL pipelines", "Terraform",
         "Scala", "Databricks", "Apache Flink"],
        [],
        ["Design, build, and maintain batch and streaming data pipelines.",
         "Model data in the warehouse for analytics and machine learning use cases.",
         "Improve data quality, lineage, and observability across the platform.",
         "Partner with analysts and data scientists to deliver reliable datasets.",
         "Tune the performance and cost of large-scale data processing jobs.",
         "Automate ingestion from internal systems and third-party APIs."],
        "data engineering",
        "build the pipelines and platforms that the whole company relies on for data",
        "Data Engineering",
        [_STEM_DEGREE],
        ["tech", "finance", "retail", "health", "logistics"],
        "tech", (125_000, 170_000),
    ),
    _fam(
        "analytics_engineer",
        ["Analytics Engineer", "Senior Analytics Developer", "Analytics Engineer II"],
        ["Head of Analytics Engineering", "Director of Analytics"],
        ["SQL", "dbt", "Snowflake", "Looker", "LookML", "dimensional modeling", "Fivetran",
         "BigQuery", "Git", "Python", "data quality testing", "semantic layer", "Tableau",
         "Great Expectations", "data modeling"],
        [],
        ["Build and maintain clean, tested, and documented data models in dbt.",
         "Define and govern core business metrics in the semantic layer.",
         "Enable self-serve analytics for business teams.",
         "Apply software engineering best practices such as version control and code review to analytics code.",
         "Work with stakeholders to understand reporting needs and turn them into data products."],
        "analytics engineering or data analytics",
        "bridge data engineering and analysis by building trusted data models",
        "Analytics",
        [_STEM_DEGREE, "Bachelor's degree in Economics, Statistics, Computer Science, or a related field."],
        ["tech", "retail", "finance"],
        "tech", (115_000, 155_000),
    ),
    _fam(
        "mlops_engineer",
        ["MLOps Engineer", "Machine Learning Platform Engineer", "ML Infrastructure Engineer"],
        ["Director of ML Platform", "Head of MLOps"],
        ["MLflow", "Kubeflow", "SageMaker", "Vertex AI", "Kubernetes", "Docker", "Terraform",
         "CI/CD", "model monitoring", "Python", "Prometheus", "feature stores", "Airflow",
         "Argo Workflows", "model registry", "GitHub Actions"],
        [],
        ["Build and operate the platform used to train, deploy, and monitor models.",
         "Automate model training, validation, and release workflows.",
         "Set up monitoring for data drift and model performance in production.",
         "Manage GPU infrastructure and optimize compute costs.",
         "Standardize tooling and best practices for data science teams."],
        "MLOps, DevOps, or ML infrastructure",
        "make it fast and safe to take models from notebook to production",
        "ML Platform",
        [_STEM_DEGREE],
        ["tech", "finance", "health"],
        "tech", (135_000, 180_000),
    ),
    _fam(
        "nlp_llm_engineer",
        ["NLP Engineer", "LLM Engineer", "Generative AI Engineer", "NLP Scientist"],
        ["Director of Applied AI", "Head of Generative AI"],
        ["Python", "PyTorch", "Hugging Face Transformers", "LLM fine-tuning", "LoRA",
         "retrieval-augmented generation", "LangChain", "vector databases", "prompt engineering",
         "named entity recognition", "sentence embeddings", "vLLM", "OpenAI API", "RLHF",
         "LLM evaluation", "text classification"],
        [],
        ["Build LLM-powered features such as search, summarization, and conversational assistants.",
         "Fine-tune and evaluate language models on domain-specific data.",
         "Design retrieval pipelines and evaluation datasets for generative AI applications.",
         "Reduce inference latency and cost for large language models in production.",
         "Stay current with NLP research and bring promising ideas into the product."],
        "natural language processing or machine learning",
        "build products on top of large language models and modern NLP",
        "Applied AI",
        [_QUANT_DEGREE, _STEM_DEGREE],
        ["tech", "legal", "health", "finance"],
        "tech", (150_000, 210_000),
    ),
    _fam(
        "computer_vision_engineer",
        ["Computer Vision Engineer", "Perception Engineer", "Computer Vision Scientist"],
        ["Director of Perception", "Head of Computer Vision"],
        ["PyTorch", "OpenCV", "object detection", "image segmentation", "YOLO", "CUDA", "TensorRT",
         "C++", "point clouds", "camera calibration", "data augmentation", "vision transformers",
         "multi-object tracking", "edge deployment", "Python", "SLAM"],
        [],
        ["Develop deep learning models for detection, segmentation, and tracking.",
         "Deploy vision models on edge devices under tight latency budgets.",
         "Build data pipelines for image and video labeling and curation.",
         "Evaluate model performance across challenging real-world conditions.",
         "Collaborate with hardware and robotics teams on sensor integration."],
        "computer vision or deep learning",
        "teach machines to understand images and video",
        "Perception",
        [_QUANT_DEGREE, _STEM_DEGREE],
        ["tech", "manufacturing", "retail"],
        "tech", (140_000, 195_000),
    ),
    _fam(
        "bi_analyst",
        ["Business Intelligence Analyst", "BI Developer", "Data Analyst", "Reporting Analyst"],
        ["Director of Business Intelligence", "Head of Reporting and Analytics"],
        ["SQL", "Tableau", "Power BI", "DAX", "Excel", "Looker", "data visualization",
         "KPI reporting", "SSRS", "SSIS", "Python", "Google Analytics", "dashboard design",
         "Snowflake", "Power Query"],
        [],
        ["Build and maintain dashboards and reports used by leadership.",
         "Write complex queries to answer ad hoc business questions.",
         "Define KPIs with business partners and keep them consistent across reports.",
         "Automate recurring reporting and reduce manual work.",
         "Investigate data discrepancies and work with engineering to resolve them."],
        "business intelligence or data analysis",
        "turn raw data into dashboards and reports that people actually use",
        "Business Intelligence",
        ["Bachelor's degree in Business, Statistics, Information Systems, or a related field."],
        ["tech", "retail", "health", "finance", "logistics", "insurance"],
        "office", (80_000, 110_000),
    ),
    _fam(
        "credit_risk_modeler",
        ["Credit Risk Modeler", "Quantitative Risk Analyst", "Credit Risk Model Developer"],
        ["Director of Credit Risk Modeling", "Head of Model Risk"],
        ["credit risk modeling", "PD/LGD/EAD models", "CECL", "IFRS 9", "Basel III", "SAS", "Python",
         "SQL", "logistic regression", "scorecard development", "model validation", "SR 11-7",
         "stress testing", "CCAR", "R", "loss forecasting"],
        [],
        ["Develop and maintain credit risk models for retail and commercial portfolios.",
         "Document model methodology to meet regulatory and model risk management standards.",
         "Support model validation and respond to audit and regulator findings.",
         "Run stress testing and loss forecasting scenarios.",
         "Monitor model performance and recommend recalibrations."],
        "credit risk modeling or quantitative finance",
        "build the models that decide how we lend and how much capital we hold",
        "Credit Risk Analytics",
        [_QUANT_DEGREE],
        ["finance", "insurance"],
        "office", (115_000, 160_000),
    ),
    _fam(
        "quant_analyst",
        ["Quantitative Analyst", "Quantitative Researcher", "Quant Developer"],
        ["Head of Quantitative Research", "Director of Quantitative Strategies"],
        ["stochastic calculus", "derivatives pricing", "Monte Carlo simulation", "C++", "Python",
         "time series analysis", "kdb+/q", "portfolio optimization", "factor models",
         "Bloomberg Terminal", "backtesting", "options pricing", "market microstructure", "NumPy",
         "fixed income analytics"],
        [],
        ["Research, design, and backtest systematic trading strategies.",
         "Build pricing and risk models for derivatives portfolios.",
         "Analyze large financial datasets to find predictive signals.",
         "Work with traders and portfolio managers to improve execution.",
         "Write production-quality research code and tooling."],
        "quantitative research or trading",
        "research and build models that drive our trading and risk decisions",
        "Quantitative Research",
        ["PhD or Master's in Mathematics, Physics, Financial Engineering, or Computer Science."],
        ["finance"],
        "tech", (160_000, 250_000),
    ),
    # ---- software / product -----------------------------------------------------
    _fam(
        "backend_engineer",
        ["Backend Engineer", "Software Engineer", "Backend Developer", "Java Developer"],
        ["Director of Engineering", "VP of Engineering"],
        ["Java", "Spring Boot", "Go", "Python", "PostgreSQL", "REST APIs", "gRPC", "microservices",
         "Kafka", "Redis", "Docker", "Kubernetes", "AWS", "system design", "GraphQL", "Node.js"],
        [],
        ["Design, build, and operate scalable backend services and APIs.",
         "Write clean, well-tested, and maintainable code.",
         "Participate in code reviews and technical design discussions.",
         "Improve reliability, performance, and observability of production systems.",
         "Take part in the on-call rotation and help resolve production incidents.",
         "Break down complex features into incremental deliverables."],
        "backend software development",
        "build the services and APIs at the core of our platform",
        "Platform Engineering",
        [_STEM_DEGREE],
        ["tech", "finance", "retail", "health", "logistics"],
        "tech", (130_000, 175_000),
    ),
    _fam(
        "frontend_engineer",
        ["Frontend Engineer", "Front-End Developer", "UI Engineer"],
        ["Director of Frontend Engineering", "Head of Web Engineering"],
        ["JavaScript", "TypeScript", "React", "Next.js", "Redux", "HTML5", "CSS3", "Tailwind CSS",
         "Webpack", "Jest", "Cypress", "WCAG accessibility", "Vue.js", "GraphQL", "Storybook",
         "responsive design"],
        [],
        ["Build fast, accessible, and responsive user interfaces.",
         "Work closely with designers to turn mockups into polished features.",
         "Maintain and extend our component library and design system.",
         "Improve web performance and Core Web Vitals.",
         "Write unit and end-to-end tests for front-end code."],
        "front-end web development",
        "craft the interfaces our customers use every day",
        "Web",
        [_STEM_DEGREE],
        ["tech", "retail", "finance"],
        "tech", (115_000, 160_000),
    ),
    _fam(
        "mobile_developer",
        ["iOS Developer", "Android Developer", "Mobile Engineer", "Mobile App Developer"],
        ["Director of Mobile Engineering", "Head of Mobile"],
        ["Swift", "SwiftUI", "Kotlin", "Jetpack Compose", "Objective-C", "React Native", "Flutter",
         "Xcode", "Android Studio", "Core Data", "Firebase", "App Store deployment",
         "mobile CI/CD", "Combine", "REST APIs"],
        [],
        ["Build and ship features for our iOS and Android apps.",
         "Improve app stability, startup time, and crash-free sessions.",
         "Collaborate with designers and backend engineers on new product flows.",
         "Own releases to the App Store and Google Play.",
         "Write automated UI and unit tests."],
        "mobile application development",
        "build mobile apps that customers love",
        "Mobile",
        [_STEM_DEGREE],
        ["tech", "retail", "finance", "health"],
        "tech", (120_000, 165_000),
    ),
    _fam(
        "devops_sre",
        ["DevOps Engineer", "Site Reliability Engineer", "Platform Engineer"],
        ["Director of Infrastructure", "Head of Site Reliability"],
        ["Kubernetes", "Terraform", "AWS", "Docker", "Ansible", "Jenkins", "GitHub Actions",
         "Prometheus", "Grafana", "Linux", "Bash", "incident response", "Helm", "CI/CD", "Datadog",
         "SLOs", "Python", "GCP"],
        [],
        ["Build and maintain cloud infrastructure as code.",
         "Improve deployment pipelines so teams can ship safely many times a day.",
         "Define SLOs and build monitoring and alerting for critical services.",
         "Lead incident response and write blameless postmortems.",
         "Automate toil and improve developer experience."],
        "DevOps or site reliability engineering",
        "keep our platform fast, reliable, and easy to ship to",
        "Infrastructure",
        [_STEM_DEGREE],
        ["tech", "finance", "retail", "health"],
        "tech", (130_000, 175_000),
    ),
    _fam(
        "cloud_architect",
        ["Cloud Solutions Architect", "Cloud Architect", "Cloud Engineer"],
        ["Director of Cloud Architecture", "Chief Cloud Architect"],
        ["AWS", "Azure", "GCP", "Terraform", "cloud migration", "solution architecture",
         "landing zones", "IAM", "networking (VPC)", "serverless", "Kubernetes", "cost optimization",
         "CloudFormation", "Well-Architected Framework", "Linux"],
        ["AWS Solutions Architect certification", "Azure Solutions Architect Expert"],
        ["Design secure, scalable cloud architectures for customer workloads.",
         "Lead migrations of on-premise applications to the cloud.",
         "Define reference architectures, guardrails, and governance standards.",
         "Advise engineering teams on cost, security, and reliability trade-offs.",
         "Run architecture reviews and proof-of-concept projects."],
        "cloud architecture or infrastructure engineering",
        "design the cloud foundations our products run on",
        "Cloud",
        [_STEM_DEGREE],
        ["tech", "consulting", "finance", "health"],
        "tech", (140_000, 185_000),
    ),
    _fam(
        "security_engineer",
        ["Security Engineer", "Cybersecurity Analyst", "SOC Analyst", "Information Security Engineer"],
        ["Director of Information Security", "Chief Information Security Officer"],
        ["SIEM", "Splunk", "threat hunting", "incident response", "penetration testing", "NIST CSF",
         "vulnerability management", "CrowdStrike", "IAM", "Burp Suite", "firewall management",
         "Wireshark", "SOC 2", "ISO 27001", "malware analysis"],
        ["CISSP", "CompTIA Security+", "OSCP"],
        ["Monitor, triage, and investigate security alerts.",
         "Lead response to security incidents from detection to remediation.",
         "Run vulnerability assessments and track remediation with engineering teams.",
         "Harden cloud and endpoint configurations.",
         "Support compliance audits and maintain security documentation."],
        "information security",
        "protect our systems, data, and customers from threats",
        "Security",
        [_STEM_DEGREE, "Bachelor's degree in Cybersecurity, Information Technology, or equivalent experience."],
        ["tech", "finance", "health", "government"],
        "tech", (115_000, 165_000),
    ),
    _fam(
        "product_manager",
        ["Product Manager", "Technical Product Manager", "Product Owner"],
        ["Director of Product Management", "VP of Product"],
        ["product roadmap", "user stories", "Jira", "A/B testing", "SQL", "Agile", "Scrum",
         "product discovery", "go-to-market strategy", "OKRs", "Amplitude", "Mixpanel",
         "product requirements documents", "competitive analysis", "pricing strategy"],
        ["Certified Scrum Product Owner"],
        ["Own the product roadmap and prioritize the backlog.",
         "Talk to customers regularly to uncover needs and validate ideas.",
         "Write clear requirements and work with engineering and design to ship.",
         "Define success metrics and measure the impact of launches.",
         "Align stakeholders across sales, marketing, and support."],
        "product management",
        "decide what we build next and why",
        "Product",
        ["Bachelor's degree in Business, Engineering, or a related field."],
        ["tech", "finance", "health", "retail"],
        "tech", (125_000, 170_000),
    ),
    _fam(
        "ux_designer",
        ["UX Designer", "Product Designer", "UX/UI Designer", "UX Researcher"],
        ["Director of Design", "Head of User Experience"],
        ["Figma", "Sketch", "Adobe XD", "user research", "usability testing", "wireframing",
         "prototyping", "design systems", "information architecture", "interaction design",
         "journey mapping", "WCAG accessibility", "UserTesting", "Miro", "Adobe Illustrator"],
        [],
        ["Design end-to-end user experiences from research to high-fidelity mockups.",
         "Plan and run user interviews and usability studies.",
         "Contribute to and evolve our design system.",
         "Partner with product managers and engineers throughout delivery.",
         "Present design rationale to stakeholders."],
        "UX or product design",
        "design experiences that are simple, useful, and accessible",
        "Design",
        ["Bachelor's degree in Design, HCI, Psychology, or equivalent experience; a portfolio is required."],
        ["tech", "retail", "finance", "health"],
        "tech", (100_000, 145_000),
    ),
    _fam(
        "graphic_designer",
        ["Graphic Designer", "Visual Designer", "Marketing Designer"],
        ["Creative Director", "Director of Brand Design"],
        ["Adobe Photoshop", "Adobe Illustrator", "Adobe InDesign", "After Effects", "typography",
         "brand identity", "layout design", "print production", "Figma", "motion graphics",
         "packaging design", "color theory", "Canva", "photo retouching"],
        [],
        ["Create visual assets for campaigns, social media, web, and print.",
         "Maintain brand consistency across all materials.",
         "Prepare print-ready files and coordinate with vendors.",
         "Take projects from concept sketches to final production.",
         "Juggle multiple projects and deadlines with the marketing team."],
        "graphic design",
        "bring our brand to life across every channel",
        "Creative",
        ["Bachelor's degree in Graphic Design or a related field; a strong portfolio is required."],
        ["retail", "tech", "hospitality", "education"],
        "office", (55_000, 75_000),
    ),
    # ---- healthcare ---------------------------------------------------------------
    _fam(
        "registered_nurse_icu",
        ["Registered Nurse - ICU", "ICU Registered Nurse", "Critical Care Nurse", "RN - Intensive Care Unit"],
        ["Director of Critical Care Nursing", "ICU Nurse Manager"],
        ["Epic EHR", "ventilator management", "hemodynamic monitoring", "arterial lines",
         "central line care", "titrating vasoactive drips", "sepsis protocols", "CRRT",
         "telemetry monitoring", "patient assessment", "medication administration", "HIPAA",
         "Cerner"],
        ["BLS certification", "ACLS certification", "CCRN", "RN license"],
        ["Provide direct care to critically ill patients in a 24-bed ICU.",
         "Monitor patients and respond quickly to changes in condition.",
         "Collaborate with physicians, respiratory therapists, and pharmacists on care plans.",
         "Educate patients and families on diagnoses and treatment.",
         "Document care accurately and on time."],
        "critical care or ICU nursing",
        "provide expert care to our most critically ill patients",
        "Intensive Care Unit",
        ["Graduate of an accredited nursing program; BSN preferred."],
        ["health"],
        "clinical", (42, 58),
    ),
    _fam(
        "registered_nurse_med_surg",
        ["Registered Nurse - Med/Surg", "Medical-Surgical RN", "Staff Nurse - Med Surg"],
        ["Director of Nursing", "Nurse Manager - Medical/Surgical"],
        ["Epic EHR", "patient assessment", "medication administration", "wound care", "IV therapy",
         "care planning", "telemetry monitoring", "fall prevention", "patient education",
         "discharge planning", "HIPAA", "Meditech", "post-operative care"],
        ["BLS certification", "RN license", "ACLS certification"],
        ["Provide safe, compassionate care to adult medical and surgical patients.",
         "Assess patients, administer medications, and carry out physician orders.",
         "Coordinate discharges with case management and families.",
         "Teach patients how to manage their conditions at home.",
         "Document assessments and interventions in the electronic health record."],
        "acute care nursing",
        "care for patients recovering from surgery and managing complex illnesses",
        "Medical-Surgical",
        ["Graduate of an accredited nursing program; BSN preferred."],
        ["health"],
        "clinical", (38, 52),
    ),
    _fam(
        "medical_coder",
        ["Medical Coder", "Medical Coding Specialist", "Certified Professional Coder",
         "Medical Billing and Coding Specialist"],
        ["Director of Health Information Management", "Coding Manager"],
        ["ICD-10-CM", "ICD-10-PCS", "CPT", "HCPCS", "E/M coding", "coding modifiers", "Epic EHR",
         "claims submission", "denial management", "revenue cycle", "medical terminology", "HIPAA",
         "DRG assignment", "3M 360 Encompass", "charge capture"],
        ["CPC certification", "CCS certification", "RHIT"],
        ["Review clinical documentation and assign accurate diagnosis and procedure codes.",
         "Query providers when documentation is incomplete or unclear.",
         "Work coding-related claim denials and rejections.",
         "Meet productivity and accuracy targets.",
         "Stay current with coding guidelines and payer rules."],
        "medical coding",
        "make sure every encounter is coded accurately and compliantly",
        "Health Information Management",
        ["High school diploma required; associate degree in Health Information Technology preferred."],
        ["health", "insurance"],
        "office", (24, 32),
    ),
    _fam(
        "pharmacy_technician",
        ["Pharmacy Technician", "Certified Pharmacy Technician", "Inpatient Pharmacy Technician"],
        ["Pharmacy Operations Manager", "Director of Pharmacy Operations"],
        ["prescription processing", "sterile compounding", "USP 797", "medication reconciliation",
         "pharmacy inventory management", "insurance adjudication", "Pyxis", "Omnicell",
         "controlled substance counts", "dosage calculations", "prior authorizations", "HIPAA",
         "PioneerRx", "unit-dose packaging"],
        ["CPhT certification", "state pharmacy technician license"],
        ["Fill and label prescriptions accurately under pharmacist supervision.",
         "Restock automated dispensing cabinets and maintain inventory.",
         "Resolve insurance rejections and process prior authorizations.",
         "Prepare sterile and non-sterile compounded medications.",
         "Provide friendly service to patients at the pharmacy counter."],
        "pharmacy",
        "help our pharmacists get the right medication to every patient",
        "Pharmacy",
        ["High school diploma or GED; completion of a pharmacy technician program preferred."],
        ["health", "retail"],
        "clinical", (18, 24),
    ),
    _fam(
        "physical_therapist",
        ["Physical Therapist", "Outpatient Physical Therapist", "Home Health Physical Therapist"],
        ["Director of Rehabilitation Services", "Rehab Clinic Director"],
        ["manual therapy", "therapeutic exercise", "gait training", "orthopedic rehabilitation",
         "WebPT", "neuromuscular re-education", "dry needling", "vestibular rehabilitation",
         "post-operative rehabilitation", "SOAP notes", "kinesio taping", "fall prevention",
         "sports rehabilitation"],
        ["state physical therapy license", "BLS certification"],
        ["Evaluate patients and design individualized treatment plans.",
         "Deliver one-on-one treatment and track progress toward goals.",
         "Educate patients on home exercise programs.",
         "Coordinate care with physicians and other providers.",
         "Complete documentation that meets payer requirements."],
        "physical therapy",
        "help patients move better and get back to the activities they love",
        "Rehabilitation",
        ["Doctor of Physical Therapy (DPT) from an accredited program."],
        ["health"],
        "clinical", (85_000, 105_000),
    ),
    # ---- trades -------------------------------------------------------------------
    _fam(
        "electrician",
        ["Electrician", "Industrial Electrician", "Commercial Electrician", "Maintenance Electrician"],
        ["Electrical Superintendent", "Electrical Project Manager"],
        ["NEC code", "conduit bending", "blueprint reading", "PLC troubleshooting", "motor controls",
         "three-phase power", "lockout/tagout", "wire pulling", "panel installation",
         "low-voltage wiring", "VFDs", "multimeter testing", "lighting controls",
         "fire alarm systems"],
        ["journeyman electrician license", "OSHA 10"],
        ["Install, maintain, and repair electrical systems in commercial and industrial facilities.",
         "Troubleshoot electrical faults in motors, controls, and distribution equipment.",
         "Read and interpret blueprints, schematics, and wiring diagrams.",
         "Install conduit, wiring, panels, and fixtures to code.",
         "Follow all safety procedures on the job site."],
        "commercial or industrial electrical work",
        "keep the power on safely for our customers",
        "Field Operations",
        ["High school diploma or GED; completion of an electrical apprenticeship program."],
        ["construction", "manufacturing", "energy"],
        "trade", (30, 42),
    ),
    _fam(
        "plumber",
        ["Plumber", "Service Plumber", "Commercial Plumber"],
        ["Plumbing Superintendent", "Plumbing Operations Manager"],
        ["pipe fitting", "PEX", "copper soldering", "backflow prevention", "drain cleaning",
         "water heater installation", "gas line installation", "sewer camera inspection",
         "blueprint reading", "Uniform Plumbing Code", "hydro jetting", "fixture installation",
         "leak detection"],
        ["journeyman plumber license", "backflow tester certification", "OSHA 10"],
        ["Diagnose and repair plumbing problems in homes and businesses.",
         "Install water heaters, fixtures, and supply and drain lines.",
         "Provide clear estimates and explain options to customers.",
         "Keep the service vehicle stocked and organized.",
         "Make sure all work meets local code and passes inspection."],
        "residential or commercial plumbing",
        "solve plumbing problems for homeowners and businesses",
        "Service",
        ["High school diploma or GED; trade school or apprenticeship completion preferred."],
        ["construction", "home_services"],
        "trade", (28, 40),
    ),
    _fam(
        "hvac_technician",
        ["HVAC Technician", "HVAC Service Technician", "HVAC Installer", "Refrigeration Technician"],
        ["HVAC Service Manager", "Director of Mechanical Services"],
        ["refrigerant recovery", "heat pumps", "rooftop units", "brazing", "load calculations",
         "commercial refrigeration", "ductwork installation", "building automation systems",
         "boiler maintenance", "Manual J", "airflow balancing", "thermostat wiring", "chillers",
         "preventive maintenance"],
        ["EPA 608 certification", "NATE certification"],
        ["Install, service, and repair heating, cooling, and refrigeration equipment.",
         "Diagnose system issues and recommend repairs or replacements.",
         "Perform preventive maintenance on residential and commercial systems.",
         "Keep accurate service records and complete work orders.",
         "Deliver excellent customer service on every call."],
        "HVAC service and installation",
        "keep our customers comfortable all year round",
        "Service",
        ["High school diploma or GED; HVAC certificate from a technical school preferred."],
        ["construction", "home_services", "energy"],
        "trade", (26, 38),
    ),
    _fam(
        "welder",
        ["Welder", "MIG Welder", "Structural Welder", "Welder/Fabricator"],
        ["Fabrication Shop Manager", "Welding Operations Manager"],
        ["MIG welding", "TIG welding", "stick welding (SMAW)", "flux-core welding",
         "blueprint reading", "weld symbols", "plasma cutting", "oxy-fuel cutting",
         "metal fabrication", "grinding", "pipe welding", "aluminum welding",
         "stainless steel welding", "overhead crane operation"],
        ["AWS D1.1 certification", "6G pipe certification"],
        ["Weld and fabricate steel components according to blueprints and weld procedures.",
         "Set up and operate welding and cutting equipment.",
         "Inspect welds for quality and fix defects.",
         "Keep the work area clean, organized, and safe.",
         "Work with the shop lead to meet production schedules."],
        "welding and fabrication",
        "build high-quality steel structures and components",
        "Fabrication",
        ["High school diploma or GED; welding school certificate preferred."],
        ["manufacturing", "construction", "energy"],
        "trade", (22, 34),
    ),
    _fam(
        "truck_driver",
        ["Truck Driver", "CDL-A Truck Driver", "OTR Truck Driver", "Regional Delivery Driver"],
        ["Fleet Operations Manager", "Director of Transportation"],
        ["DOT regulations", "ELD compliance", "hours of service", "pre-trip inspections",
         "flatbed securement", "hazmat endorsement", "tanker endorsement", "route planning",
         "load securement", "reefer hauling", "defensive driving", "bill of lading",
         "forklift operation"],
        ["CDL Class A", "DOT medical card"],
        ["Safely transport freight to customers on time.",
         "Perform pre-trip and post-trip vehicle inspections.",
         "Keep accurate logs and delivery paperwork.",
         "Communicate with dispatch about delays or issues on the road.",
         "Load and unload freight when required."],
        "commercial truck driving",
        "deliver freight safely and on time across the region",
        "Transportation",
        ["High school diploma or GED preferred; clean driving record required."],
        ["logistics", "retail", "manufacturing"],
        "trade", (25, 35),
    ),
    _fam(
        "construction_project_manager",
        ["Construction Project Manager", "Project Engineer", "Construction Superintendent"],
        ["Director of Construction", "VP of Construction Operations"],
        ["Procore", "Primavera P6", "cost estimating", "construction scheduling", "submittals",
         "RFIs", "change orders", "Bluebeam", "subcontractor management", "budget tracking",
         "blueprint reading", "quality control", "MS Project", "site safety plans"],
        ["OSHA 30", "PMP certification"],
        ["Manage commercial construction projects from preconstruction to closeout.",
         "Coordinate subcontractors, suppliers, and inspections.",
         "Track budgets, schedules, and change orders.",
         "Run weekly owner and subcontractor meetings.",
         "Enforce site safety and quality standards."],
        "commercial construction",
        "deliver construction projects on time, on budget, and safely",
        "Operations",
        ["Bachelor's degree in Construction Management, Civil Engineering, or a related field."],
        ["construction"],
        "office", (95_000, 130_000),
    ),
    # ---- business / office ------------------------------------------------------------
    _fam(
        "accountant",
        ["Staff Accountant", "Accountant", "General Ledger Accountant"],
        ["Controller", "Director of Accounting"],
        ["GAAP", "general ledger", "month-end close", "account reconciliations", "journal entries",
         "accounts payable", "accounts receivable", "NetSuite", "QuickBooks", "SAP",
         "fixed asset accounting", "ASC 606 revenue recognition", "ASC 842 lease accounting",
         "Excel", "audit support", "tax preparation"],
        ["CPA"],
        ["Prepare journal entries and account reconciliations during month-end close.",
         "Maintain the general ledger and ensure accuracy of financial records.",
         "Support external audits and prepare audit schedules.",
         "Help improve accounting processes and internal controls.",
         "Prepare financial statements and supporting analysis."],
        "accounting",
        "keep our books accurate and our close fast",
        "Accounting",
        ["Bachelor's degree in Accounting or Finance."],
        ["finance", "tech", "manufacturing", "health", "retail"],
        "office", (65_000, 85_000),
    ),
    _fam(
        "financial_analyst",
        ["Financial Analyst", "FP&A Analyst", "Corporate Finance Analyst"],
        ["Director of FP&A", "VP of Finance"],
        ["financial modeling", "budgeting and forecasting", "variance analysis", "DCF valuation",
         "Excel", "Hyperion", "Adaptive Insights", "Anaplan", "SQL", "Power BI", "Tableau",
         "three-statement modeling", "scenario analysis", "Bloomberg Terminal", "capital budgeting"],
        ["CFA"],
        ["Build and maintain the annual budget and rolling forecasts.",
         "Analyze monthly results and explain variances to leadership.",
         "Create financial models to evaluate investments and strategic initiatives.",
         "Prepare board and executive reporting packages.",
         "Partner with business leaders to track spending and performance."],
        "financial planning and analysis",
        "help leadership make better financial decisions",
        "Finance",
        ["Bachelor's degree in Finance, Accounting, or Economics; MBA a plus."],
        ["finance", "tech", "health", "retail", "manufacturing"],
        "office", (75_000, 100_000),
    ),
    _fam(
        "paralegal",
        ["Paralegal", "Litigation Paralegal", "Corporate Paralegal", "Legal Assistant"],
        ["Paralegal Manager", "Director of Legal Operations"],
        ["legal research", "Westlaw", "LexisNexis", "e-discovery", "Relativity", "document review",
         "trial preparation", "deposition summaries", "Clio", "legal drafting", "court filings",
         "subpoenas", "contract management", "Bluebook citation"],
        ["paralegal certificate"],
        ["Support attorneys through all stages of litigation.",
         "Draft pleadings, motions, discovery requests, and correspondence.",
         "Organize case files, exhibits, and trial binders.",
         "Calendar deadlines and file documents with state and federal courts.",
         "Communicate with clients, opposing counsel, and court staff."],
        "legal support",
        "keep our attorneys organized and our cases moving",
        "Litigation",
        ["Bachelor's degree or paralegal certificate from an ABA-approved program."],
        ["legal"],
        "office", (55_000, 75_000),
    ),
    _fam(
        "teacher",
        ["High School Math Teacher", "Elementary School Teacher", "Science Teacher",
         "Special Education Teacher"],
        ["Director of Curriculum and Instruction", "Assistant Principal"],
        ["lesson planning", "differentiated instruction", "classroom management",
         "Common Core standards", "IEP development", "Google Classroom", "formative assessment",
         "Canvas LMS", "curriculum design", "STEM instruction", "PBIS", "data-driven instruction",
         "ELL support"],
        ["state teaching license"],
        ["Plan and deliver engaging lessons aligned with state standards.",
         "Assess student progress and adjust instruction to meet every learner's needs.",
         "Build a positive, inclusive classroom culture.",
         "Communicate regularly with families about student progress.",
         "Collaborate with grade-level teams and attend professional development."],
        "K-12 teaching",
        "help every student grow academically and personally",
        "Academic",
        ["Bachelor's degree in Education or the subject area."],
        ["education"],
        "education", (50_000, 68_000),
    ),
    _fam(
        "sales_account_executive",
        ["Account Executive", "Enterprise Account Executive", "Sales Representative",
         "Business Development Representative"],
        ["Director of Sales", "VP of Sales"],
        ["Salesforce", "HubSpot", "pipeline management", "cold calling", "SaaS sales", "MEDDIC",
         "solution selling", "contract negotiation", "Outreach.io", "Gong",
         "LinkedIn Sales Navigator", "territory planning", "account-based selling",
         "sales forecasting"],
        [],
        ["Own the full sales cycle from prospecting to close.",
         "Build and manage a healthy pipeline of qualified opportunities.",
         "Run discovery calls and tailored product demos.",
         "Meet or exceed quarterly revenue targets.",
         "Keep CRM records accurate and up to date."],
        "B2B sales",
        "win new customers and grow our revenue",
        "Sales",
        ["Bachelor's degree preferred but not required."],
        ["tech", "health", "finance", "manufacturing", "logistics"],
        "office", (70_000, 110_000),
    ),
    _fam(
        "digital_marketing_seo",
        ["Digital Marketing Manager", "SEO Specialist", "Marketing Specialist", "Growth Marketer"],
        ["Director of Marketing", "Head of Growth"],
        ["SEO", "Google Analytics 4", "Google Ads", "SEMrush", "Ahrefs", "keyword research",
         "content strategy", "HubSpot", "Marketo", "email marketing", "paid social",
         "conversion rate optimization", "link building", "Google Search Console", "A/B testing",
         "marketing automation"],
        [],
        ["Plan and run campaigns across search, social, and email.",
         "Grow organic traffic through technical and on-page SEO.",
         "Manage paid media budgets and optimize for return on ad spend.",
         "Report on campaign performance and share learnings.",
         "Work with content and design teams on landing pages and assets."],
        "digital marketing",
        "grow our audience and turn visitors into customers",
        "Marketing",
        ["Bachelor's degree in Marketing, Communications, or a related field."],
        ["tech", "retail", "hospitality", "education", "health"],
        "office", (65_000, 95_000),
    ),
    _fam(
        "supply_chain_analyst",
        ["Supply Chain Analyst", "Logistics Coordinator", "Demand Planner", "Procurement Specialist"],
        ["Director of Supply Chain", "VP of Logistics"],
        ["demand forecasting", "SAP", "inventory optimization", "sales and operations planning",
         "Oracle SCM", "warehouse management systems", "transportation management systems", "Excel",
         "SQL", "vendor management", "procurement", "freight auditing", "EDI", "Manhattan WMS",
         "Incoterms"],
        ["APICS CPIM", "Lean Six Sigma Green Belt"],
        ["Forecast demand and plan inventory across distribution centers.",
         "Monitor supplier performance and resolve delivery issues.",
         "Analyze freight spend and find cost-saving opportunities.",
         "Maintain accurate item and vendor data in the ERP.",
         "Coordinate with warehouse, purchasing, and sales teams."],
        "supply chain or logistics",
        "keep products flowing from suppliers to customers efficiently",
        "Supply Chain",
        ["Bachelor's degree in Supply Chain Management, Business, or a related field."],
        ["logistics", "manufacturing", "retail"],
        "office", (65_000, 90_000),
    ),
    _fam(
        "operations_research",
        ["Operations Research Analyst", "Optimization Scientist", "Operations Research Scientist"],
        ["Director of Operations Research", "Head of Decision Science"],
        ["Gurobi", "CPLEX", "linear programming", "mixed-integer programming", "Pyomo",
         "discrete-event simulation", "AnyLogic", "network optimization", "vehicle routing",
         "scheduling optimization", "stochastic optimization", "Python", "SQL", "OR-Tools",
         "queueing theory", "heuristics"],
        [],
        ["Build optimization models for network design, routing, and scheduling.",
         "Develop simulation models to evaluate operational changes before they happen.",
         "Turn business problems into well-defined mathematical formulations.",
         "Deploy optimization solutions into production planning tools.",
         "Explain trade-offs and recommendations to operations leaders."],
        "operations research or optimization",
        "use optimization and simulation to run our operations better",
        "Decision Science",
        ["Master's or PhD in Operations Research, Industrial Engineering, or Applied Mathematics."],
        ["logistics", "manufacturing", "retail", "tech", "energy"],
        "tech", (115_000, 155_000),
    ),
    _fam(
        "hr_recruiter",
        ["Technical Recruiter", "HR Generalist", "Talent Acquisition Specialist", "HR Business Partner"],
        ["Director of Human Resources", "Head of Talent Acquisition"],
        ["full-cycle recruiting", "applicant tracking systems", "Greenhouse", "Workday",
         "boolean sourcing", "LinkedIn Recruiter", "employee relations", "onboarding", "HRIS",
         "FMLA administration", "benefits administration", "compensation analysis",
         "performance management", "ADP Workforce Now", "employment law compliance"],
        ["SHRM-CP", "PHR"],
        ["Partner with hiring managers to define roles and hiring plans.",
         "Source, screen, and interview candidates.",
         "Advise managers and employees on HR policies and employee relations issues.",
         "Run onboarding and support a great employee experience.",
         "Maintain accurate employee records and HR reports."],
        "human resources or recruiting",
        "help us hire great people and take care of them once they're here",
        "People",
        ["Bachelor's degree in Human Resources, Business, or a related field."],
        ["tech", "health", "retail", "manufacturing", "finance"],
        "office", (65_000, 90_000),
    ),
    _fam(
        "customer_support",
        ["Customer Support Specialist", "Customer Success Manager", "Technical Support Representative",
         "Customer Service Representative"],
        ["Director of Customer Support", "Head of Customer Experience"],
        ["Zendesk", "Salesforce Service Cloud", "Intercom", "ticket triage", "live chat support",
         "knowledge base authoring", "technical troubleshooting", "Freshdesk",
         "escalation management", "CSAT tracking", "SLA management", "de-escalation", "Jira",
         "customer onboarding", "phone support"],
        [],
        ["Answer customer questions by phone, email, and chat.",
         "Troubleshoot issues and escalate bugs to the product team.",
         "Write and update help center articles.",
         "Meet response-time and satisfaction targets.",
         "Share customer feedback with product and engineering."],
        "customer support or customer service",
        "make every customer interaction a great one",
        "Customer Experience",
        ["High school diploma or equivalent; some college preferred."],
        ["tech", "retail", "finance", "health", "hospitality"],
        "office", (20, 27),
    ),
    # ---- engineering --------------------------------------------------------------
    _fam(
        "civil_engineer",
        ["Civil Engineer", "Site Civil Engineer", "Transportation Engineer", "Water Resources Engineer"],
        ["Director of Civil Engineering", "Civil Engineering Practice Leader"],
        ["AutoCAD", "Civil 3D", "MicroStation", "site grading", "stormwater management", "HEC-RAS",
         "roadway design", "ArcGIS", "construction administration", "drainage design",
         "utility design", "land surveying", "permitting", "plan production"],
        ["PE license", "EIT certification"],
        ["Prepare civil site plans, grading, and utility designs.",
         "Perform hydrologic and hydraulic calculations.",
         "Coordinate with clients, architects, and permitting agencies.",
         "Review shop drawings and support construction administration.",
         "Mentor junior staff and review their work for quality."],
        "civil engineering design",
        "design the infrastructure our communities depend on",
        "Civil Engineering",
        ["Bachelor's degree in Civil Engineering from an ABET-accredited program."],
        ["construction", "government", "consulting"],
        "office", (80_000, 110_000),
    ),
    _fam(
        "mechanical_engineer",
        ["Mechanical Engineer", "Mechanical Design Engineer", "Product Design Engineer"],
        ["Director of Mechanical Engineering", "Engineering Manager - Mechanical"],
        ["SolidWorks", "AutoCAD", "GD&T", "ANSYS", "finite element analysis", "CFD", "Creo",
         "DFMEA", "sheet metal design", "injection molding", "tolerance stack-up analysis", "MATLAB",
         "design for manufacturing", "3D printing", "thermal analysis", "Windchill PLM"],
        ["PE license"],
        ["Design mechanical components and assemblies from concept to production.",
         "Create 3D models, drawings, and bills of materials.",
         "Run analyses and physical tests to validate designs.",
         "Work with suppliers and manufacturing to resolve build issues.",
         "Support engineering change orders and product documentation."],
        "mechanical design",
        "design products that are reliable and easy to manufacture",
        "Engineering",
        ["Bachelor's degree in Mechanical Engineering."],
        ["manufacturing", "energy", "tech"],
        "office", (85_000, 115_000),
    ),
    # ---- hospitality ------------------------------------------------------------------
    _fam(
        "chef",
        ["Sous Chef", "Line Cook", "Chef de Cuisine", "Pastry Chef"],
        ["Executive Chef", "Culinary Director"],
        ["menu development", "food cost control", "knife skills", "sauté station", "grill station",
         "inventory ordering", "HACCP", "kitchen management", "banquet production", "plating",
         "butchery", "pastry", "recipe costing", "line management"],
        ["ServSafe Manager certification", "food handler card"],
        ["Prepare high-quality dishes consistently during busy services.",
         "Train and lead kitchen staff on recipes and standards.",
         "Order food and supplies and manage inventory.",
         "Keep the kitchen clean, organized, and compliant with health codes.",
         "Help develop seasonal menus and specials."],
        "professional kitchens",
        "create memorable food in a fast-paced kitchen",
        "Culinary",
        ["Culinary degree or equivalent kitchen experience."],
        ["hospitality"],
        "hospitality", (18, 26),
    ),
)

# ---- companies, places, boilerplate ------------------------------------------------

_NAME_HEADS = (
    "North", "Blue", "Silver", "Red", "Iron", "Oak", "Cedar", "Bright", "Summit", "River",
    "Granite", "Harbor", "Pine", "Stone", "Eagle", "Maple", "Clear", "True", "Lake", "Sun",
    "West", "High", "Golden", "Green", "Star", "Fox", "Birch", "Cobalt", "Crystal", "Falcon",
)
_NAME_TAILS = (
    "wind", "peak", "field", "stone", "bridge", "point", "crest", "view", "gate", "line",
    "ridge", "water", "brook", "wood", "haven", "path", "light", "rock", "vale", "spring",
)
_SURNAMES = (
    "Harper", "Caldwell", "Whitfield", "Moore", "Bennett", "Reyes", "Sullivan", "Nguyen",
    "Patel", "Kowalski", "Dawson", "Ellison", "Fletcher", "Garza", "Holloway", "Iverson",
    "Jensen", "Kim", "Lawson", "Mercer", "Navarro", "Okafor", "Prescott", "Quinn",
)

# industry -> (name words, descriptions, missions)
_INDUSTRIES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "tech": (
        ("Analytics", "Labs", "Systems", "Software", "AI", "Technologies", "Data", "Cloud"),
        ("software company", "technology company", "SaaS provider", "data platform company"),
        ("We help businesses turn data into better decisions.",
         "Our platform is used by thousands of teams to run their daily operations.",
         "We build tools that make work simpler for millions of people."),
    ),
    "finance": (
        ("Capital", "Financial", "Bank", "Investments", "Credit Union", "Partners"),
        ("financial services firm", "bank", "investment management firm", "fintech company"),
        ("We help families and businesses borrow, save, and invest with confidence.",
         "We manage assets for institutions and individuals across the country.",
         "Our mission is to make financial services fair and accessible."),
    ),
    "insurance": (
        ("Insurance", "Mutual", "Assurance", "Risk Partners"),
        ("insurance carrier", "insurance company", "insurtech company"),
        ("We protect what matters most to our policyholders.",
         "We provide property, casualty, and life insurance to customers nationwide."),
    ),
    "health": (
        ("Health", "Medical Center", "Health System", "Care", "Clinics", "Hospital"),
        ("healthcare system", "network of community hospitals", "health care provider",
         "multi-specialty medical group"),
        ("Our mission is to provide compassionate, high-quality care to every patient.",
         "We serve patients across the region through hospitals, clinics, and home care.",
         "We are committed to improving the health of the communities we serve."),
    ),
    "retail": (
        ("Market", "Goods", "Outfitters", "Brands", "Stores", "Commerce"),
        ("retailer", "e-commerce company", "consumer brand", "omnichannel retailer"),
        ("We bring quality products to customers in stores and online.",
         "We are reinventing how people shop for everyday essentials."),
    ),
    "logistics": (
        ("Logistics", "Freight", "Transport", "Distribution", "Supply Co."),
        ("logistics company", "third-party logistics provider", "freight carrier"),
        ("We move goods for some of the country's best-known brands.",
         "Our network of warehouses and trucks keeps supply chains running."),
    ),
    "construction": (
        ("Construction", "Builders", "Contracting", "Group", "Services"),
        ("general contractor", "construction company", "specialty contractor"),
        ("We build schools, hospitals, and commercial spaces across the region.",
         "We have delivered thousands of projects safely and on time."),
    ),
    "home_services": (
        ("Plumbing", "Heating & Air", "Home Services", "Mechanical", "Comfort"),
        ("home services company", "residential service provider"),
        ("We keep homes comfortable and safe with honest, reliable service.",
         "Our technicians serve thousands of households every year."),
    ),
    "manufacturing": (
        ("Manufacturing", "Industries", "Fabrication", "Components", "Works", "Machinery"),
        ("manufacturer", "industrial manufacturing company", "precision components maker"),
        ("We design and manufacture equipment used in critical industries.",
         "Our products are built in the USA and shipped around the world."),
    ),
    "energy": (
        ("Energy", "Power", "Utilities", "Renewables"),
        ("energy company", "utility", "renewable energy developer"),
        ("We deliver reliable, affordable energy to homes and businesses.",
         "We are helping lead the transition to clean energy."),
    ),
    "legal": (
        ("LLP", "Law Group", "Legal"),
        ("law firm", "litigation firm", "full-service law firm"),
        ("We represent businesses and individuals in complex disputes.",
         "Our attorneys are recognized for excellence and client service."),
    ),
    "education": (
        ("Academy", "Schools", "Learning", "Education", "Charter School"),
        ("school district", "charter school network", "education nonprofit"),
        ("We believe every student deserves an excellent education.",
         "We serve students from kindergarten through high school."),
    ),
    "hospitality": (
        ("Hospitality", "Kitchen", "Restaurant Group", "Hotels", "Bistro"),
        ("restaurant group", "hospitality company", "boutique hotel group"),
        ("We create memorable dining experiences with fresh, local ingredients.",
         "Our restaurants and hotels welcome thousands of guests every week."),
    ),
    "consulting": (
        ("Consulting", "Advisors", "Partners", "Group"),
        ("consulting firm", "engineering consultancy", "professional services firm"),
        ("We help public and private clients solve their hardest problems.",),
    ),
    "government": (
        ("Solutions", "Federal", "Public Services", "Group"),
        ("government contractor", "public sector services firm"),
        ("We support federal, state, and local agencies with mission-critical services.",),
    ),
}

_CITIES = (
    "New York, NY", "Los Angeles, CA", "Chicago, IL", "Houston, TX", "Phoenix, AZ",
    "Philadelphia, PA", "San Antonio, TX", "San Diego, CA", "Dallas, TX", "Austin, TX",
    "Jacksonville, FL", "Columbus, OH", "Charlotte, NC", "Indianapolis, IN", "Seattle, WA",
    "Denver, CO", "Boston, MA", "Nashville, TN", "Detroit, MI", "Portland, OR", "Las Vegas, NV",
    "Memphis, TN", "Louisville, KY", "Baltimore, MD", "Milwaukee, WI", "Albuquerque, NM",
    "Tucson, AZ", "Sacramento, CA", "Kansas City, MO", "Atlanta, GA", "Omaha, NE", "Raleigh, NC",
    "Miami, FL", "Minneapolis, MN", "Tampa, FL", "New Orleans, LA", "Cleveland, OH",
    "Pittsburgh, PA", "Salt Lake City, UT", "Richmond, VA", "Boise, ID", "Madison, WI",
    "San Francisco, CA", "San Jose, CA", "Des Moines, IA", "Birmingham, AL", "Cincinnati, OH",
    "St. Louis, MO", "Oklahoma City, OK", "Hartford, CT",
)

# seniority: (key, label, weight, years range, pay factor)
_LEVELS = (
    ("entry", "Entry level", 0.20, (0, 2), 0.75),
    ("mid", "Associate", 0.30, (2, 4), 1.0),
    ("senior", "Mid-Senior level", 0.30, (5, 8), 1.25),
    ("lead", "Mid-Senior level", 0.12, (7, 10), 1.45),
    ("director", "Director", 0.08, (10, 15), 1.8),
)

# title prefixes by family kind and level ("" keeps the base title)
_PREFIXES: dict[str, dict[str, tuple[str, ...]]] = {
    "tech": {"entry": ("Junior ", "Associate ", "Entry-Level "), "mid": ("", "", ""),
             "senior": ("Senior ", "Sr. "), "lead": ("Lead ", "Staff ", "Principal ")},
    "office": {"entry": ("Junior ", "Entry-Level ", "Associate "), "mid": ("",),
               "senior": ("Senior ", "Sr. "), "lead": ("Lead ", "Principal ")},
    "clinical": {"entry": ("", "Entry-Level "), "mid": ("",),
                 "senior": ("Senior ", "Experienced "), "lead": ("Lead ",)},
    "trade": {"entry": ("Entry-Level ", "Trainee ", ""), "mid": ("",),
              "senior": ("Senior ", "Experienced "), "lead": ("Lead ",)},
    "education": {"entry": ("",), "mid": ("",), "senior": ("",), "lead": ("Lead ",)},
    "hospitality": {"entry": ("",), "mid": ("",), "senior": ("Senior ",), "lead": ("Lead ",)},
}
_TITLE_SUFFIXES: dict[str, tuple[str, ...]] = {
    "tech": (" (Remote)", " - Hybrid", " - Remote US"),
    "office": (" - Hybrid", " (Remote)"),
    "clinical": (" - Nights", " - Full Time", " - PRN", " - Day Shift"),
    "trade": (" - $2,000 Sign-On Bonus", " - Day Shift", " - Full Time"),
    "education": (" - 2025-2026 School Year",),
    "hospitality": (" - Full Time", " - Evenings"),
}

_ABOUT_HEADINGS = ("About Us", "Who we are", "About {company}", "About the Company",
                   "Company Overview", None, None)
_SUMMARY_HEADINGS = (None, None, "Job Summary", "Position Summary", "About the Role", "Overview",
                     "Job Description")
_RESP_HEADINGS = ("Responsibilities", "What you'll do", "The Role", "Key duties",
                  "Key Responsibilities", "Duties", "Your impact", "Essential Functions",
                  "What You Will Do")
_QUAL_HEADINGS = ("Qualifications", "Requirements", "What you bring", "Skills & Experience",
                  "Who you are", "Minimum Qualifications", "What we're looking for",
                  "Required Skills")
_PREF_HEADINGS = ("Preferred Qualifications", "Nice to have", "Bonus points", "Preferred",
                  "Pluses")
_BENEFIT_HEADINGS = ("Benefits", "Perks & Benefits", "What we offer", "Why join us",
                     "Compensation & Benefits", "Why work here")
_PAY_HEADINGS = (None, None, "Compensation", "Pay")
_APPLY_HEADINGS = (None, None, "How to apply")
_EEO_HEADINGS = (None, None, None, "Equal Opportunity", "EEO Statement")

_COMPANY_SIZES = ("fast-growing", "leading", "well-established", "award-winning",
                  "nationally recognized", "mid-sized", "employee-owned", "family-owned",
                  "rapidly growing")
_CULTURE = (
    "Founded in {year}, we now employ more than {staff:,} people across {offices} locations.",
    "Our teams value ownership, curiosity, and doing the right thing.",
    "We have been named a Top Workplace {awards} years in a row.",
    "We invest in our people and promote from within.",
    "Join a team where your work makes a visible difference.",
)
_SUMMARY_OPENERS = (
    "We are seeking {a_title} to join our {team} team{where}.",
    "{company} is looking for {a_title} to join our growing {team} team{where}.",
    "We're hiring {a_title}{where}.",
    "The {title} will join the {team} team and report to the {manager}.",
    "Our {team} team is growing and we are hiring {a_title}{where}.",
)
_SUMMARY_FOLLOWS = (
    "As {a_title}, you will {summary}.",
    "In this role you will {summary}.",
    "You will {summary}.",
    "This role is a great fit for someone who wants to {summary}.",
)
_MANAGERS = ("team lead", "department manager", "director", "site manager", "hiring manager")
_WORK_SETTINGS = {
    "tech": ("This is a hybrid role with three days a week in the office.",
             "This position is fully remote within the United States.",
             "This role is based in our {city} office."),
    "office": ("This is a hybrid role based in {city}.", "This role is on-site in {city}.",
               "Remote work is available two days per week."),
    "clinical": ("Full-time, 12-hour shifts, rotating weekends and holidays.",
                 "Night shift, 36 hours per week.", "Day shift, Monday through Friday."),
    "trade": ("Full-time, Monday through Friday, with occasional overtime.",
              "Company vehicle, tools, and fuel card provided.",
              "Home most nights; some overnight travel may be required."),
    "education": ("Full-time position for the upcoming school year.",),
    "hospitality": ("Evenings, weekends, and holidays required.",
                    "Full-time, 40-45 hours per week."),
}
_GENERIC_DUTIES = {
    "tech": ("Collaborate with cross-functional partners in product, design, and engineering.",
             "Document your work and share knowledge with the team.",
             "Contribute to a culture of learning and continuous improvement."),
    "office": ("Collaborate with cross-functional teams to meet deadlines.",
               "Support special projects and other duties as assigned.",
               "Identify opportunities to improve processes and reporting."),
    "clinical": ("Follow infection control and patient safety policies.",
                 "Participate in unit meetings, training, and quality initiatives.",
                 "Other duties as assigned."),
    "trade": ("Follow all company safety policies and OSHA regulations.",
              "Maintain tools and equipment in good working condition.",
              "Other duties as assigned."),
    "education": ("Participate in staff meetings, school events, and parent conferences.",
                  "Maintain accurate attendance and grade records."),
    "hospitality": ("Follow all food safety and sanitation standards.",
                    "Support other stations when needed during busy services."),
}
_LEAD_DUTIES = ("Mentor junior team members and review their work.",
                "Set technical direction and standards for the team.",
                "Lead a team of {reports} and manage priorities across projects.",
                "Hire, develop, and retain a high-performing team of {reports} direct reports.",
                "Own the team's budget and report progress to senior leadership.")
_SKILL_DUTIES = ("Work hands-on with {a} and {b} day to day.",
                 "Use {a} to deliver high-quality work on schedule.",
                 "Keep our {a} practices up to date as the team grows.",
                 "Apply {a} and {b} across a variety of projects.")
_SKILL_QUALS_MANY = ("Hands-on experience with {items}.",
                     "Proficiency in {items}.",
                     "Strong working knowledge of {items}.",
                     "Experience using {items} in a professional setting.",
                     "Solid skills in {items}.",
                     "Demonstrated expertise in {items}.")
_SKILL_QUALS_LIST = ("Tools and technologies: {items}", "Technical skills: {items}",
                     "Familiar with: {items}")
_SKILL_QUALS_ONE = ("Strong working knowledge of {items}.", "Proven experience with {items}.",
                    "Proficiency in {items} is required.", "Experience with {items}.")
_SKILL_PREFS = ("Experience with {items} is a plus.", "Familiarity with {items} preferred.",
                "Exposure to {items} is nice to have.", "Bonus if you know {items}.")
_CERT_QUALS = ("Current {cert} required.", "{cert} is required.", "Must hold an active {cert}.",
               "{cert} preferred.", "Valid {cert} (or ability to obtain within 90 days).")
_SOFT_QUALS = {
    "tech": ("Excellent written and verbal communication skills.",
             "Ability to break down ambiguous problems and work independently.",
             "A collaborative mindset and willingness to give and receive feedback."),
    "office": ("Excellent communication and organizational skills.",
               "Strong attention to detail.", "Proficiency with Microsoft Office.",
               "Ability to manage multiple priorities and meet deadlines."),
    "clinical": ("Strong critical thinking and communication skills.",
                 "Ability to stay calm and focused under pressure.",
                 "Commitment to patient safety and compassionate care."),
    "trade": ("Valid driver's license and clean driving record.",
              "Ability to lift 50 lbs and work in tight spaces, at heights, and outdoors.",
              "Must pass a background check and drug screen.",
              "Reliable, punctual, and safety-minded."),
    "education": ("Passion for working with students of all backgrounds.",
                  "Strong communication skills with students, families, and colleagues."),
    "hospitality": ("Ability to work in a fast-paced environment.",
                    "Ability to stand for long periods and lift up to 50 lbs.",
                    "A positive attitude and team-first mindset."),
}
_BENEFITS = (
    "Medical, dental, and vision insurance", "401(k) with company match",
    "Paid time off and paid holidays", "Flexible working hours", "Tuition reimbursement",
    "Life and disability insurance", "Employee assistance program", "Paid parental leave",
    "Health savings account (HSA)", "Professional development budget",
    "Employee stock purchase plan", "Wellness stipend", "Commuter benefits",
    "Annual performance bonus", "Employee discounts", "Referral bonus program",
    "Pet insurance", "Home office stipend",
)
_EEO_TEXTS = (
    "{company} is an equal opportunity employer. All qualified applicants will receive "
    "consideration for employment without regard to race, color, religion, sex, sexual "
    "orientation, gender identity, national origin, disability, or veteran status.",
    "{company} is an equal opportunity employer and values diversity. We do not discriminate "
    "on the basis of race, religion, color, national origin, gender, sexual orientation, age, "
    "marital status, veteran status, or disability status.",
    "{company} is an Equal Opportunity Employer, including disability and protected veterans.",
    "{company} is an equal opportunity employer committed to building a diverse and inclusive "
    "workplace. Reasonable accommodations are available on request.",
)
_PAY_TEXTS = ("Salary range: {lo} - {hi}", "Compensation: {lo}-{hi} per year",
              "The base salary for this role is {lo} to {hi}, depending on experience.",
              "Pay range: {lo} - {hi} annually, plus benefits.")
_HOURLY_TEXTS = ("Pay: {lo} - {hi} per hour", "Hourly rate: {lo} to {hi}, based on experience.",
                 "Salary range: {lo} - {hi}/hr", "Starting pay {lo}-{hi} per hour DOE.")
_APPLY_TEXTS = (
    "To apply, submit your resume and a short cover letter through our careers page.",
    "To apply, send your resume to careers@{domain}.com.",
    "Interested candidates should apply online. We review applications on a rolling basis.",
    "To apply, click Apply and complete the online application.",
)
_RUN_ON_PREFIXES = ("Job description", "Description", "Job Description", "")

# optional sections that vary length (and add realistic noise) by family kind
_TEAM_TEXTS = (
    "You'll join a team of {k} people who care deeply about quality and support each other. "
    "We work closely with partners across the company and celebrate wins together.",
    "Our {team} team is small but mighty: {k} people who ship often, learn fast, and value "
    "clear communication. We meet weekly to share progress and plan what comes next.",
    "The {team} group has grown from {k0} to {k} people over the last two years, and we are "
    "still growing. New team members get a dedicated onboarding buddy and a clear ramp-up plan.",
)
_SUCCESS_ITEMS = (
    "In your first 30 days, you'll get to know our team, tools, and customers.",
    "By day 60, you'll own your first project from start to finish.",
    "By day 90, you'll be improving how we work and sharing what you've learned.",
    "Within six months, you'll be a go-to person for your area.",
)
_SCHEDULE_ITEMS = {
    "clinical": ("12-hour shifts", "Rotating weekends and holidays", "Day and night shifts available",
                 "On-call as needed", "Self-scheduling"),
    "trade": ("8-hour shifts", "Monday to Friday", "Overtime available", "Weekends as needed",
              "On-call rotation"),
    "hospitality": ("Evening shifts", "Weekends required", "Holidays as needed", "10-hour shifts"),
    "education": ("Monday to Friday", "School-year calendar", "No weekends"),
}
_PHYSICAL_TEXTS = {
    "clinical": "This position requires standing and walking for most of the shift, and the "
                "ability to lift, push, or pull up to 50 pounds with assistance.",
    "trade": "Work is performed indoors and outdoors in all weather. Must be able to climb "
             "ladders, work at heights, kneel, crawl, and lift up to 75 pounds.",
    "hospitality": "Must be able to stand for up to 10 hours, work near hot equipment, and "
                   "lift up to 50 pounds.",
}
_CLOSING_TEXTS = (
    "We know great candidates sometimes hesitate to apply if they don't meet every single "
    "requirement. If this role excites you, we encourage you to apply anyway.",
    "Candidates must be authorized to work in the United States. We are unable to sponsor "
    "visas for this position.",
    "Employment is contingent upon successful completion of a background check.",
    "If you need a reasonable accommodation during the application process, please contact "
    "our recruiting team.",
    "This job description is not intended to be an exhaustive list of all duties, "
    "responsibilities, or qualifications associated with the job.",
)
_MIN_WORDS = 165  # pad short postings with optional sections up to about this many words


@dataclass
class _Block:
    heading: str | None
    items: list[str]
    bullets: bool


# random.Random.choice/randint are slow pure-Python paths; these use one C call each
def _pick(r: Callable[[], float], seq: Sequence[T]) -> T:
    return seq[int(r() * len(seq))]


def _randint(r: Callable[[], float], lo: int, hi: int) -> int:
    return lo + int(r() * (hi - lo + 1))


def _sample(r: Callable[[], float], seq: Sequence[T], k: int) -> list[T]:
    """k distinct items in random order (partial Fisher-Yates; faster than Random.sample)."""
    pool = list(seq)
    n = len(pool)
    for i in range(k):
        j = i + int(r() * (n - i))
        pool[i], pool[j] = pool[j], pool[i]
    return pool[:k]


def _join_items(r: Callable[[], float], items: list[str], conj: str = "and") -> str:
    if len(items) == 1:
        return items[0]
    if len(items) == 2:
        return f"{items[0]} {conj} {items[1]}"
    style = r()
    if style < 0.5:
        return ", ".join(items[:-1]) + f", {conj} " + items[-1]
    if style < 0.8:
        return ", ".join(items[:-1]) + f" {conj} " + items[-1]
    return ", ".join(items)


def _company_name(rng: random.Random, fam: RoleFamily, industry: str) -> str:
    r = rng.random
    words = _INDUSTRIES[industry][0]
    if industry == "legal":
        a, b = _sample(r, _SURNAMES, 2)
        return f"{a} & {b} {_pick(r, words)}"
    if fam.kind == "trade" and r() < 0.4:
        return f"{_pick(r, _SURNAMES)} {_pick(r, words)}"
    name = _pick(r, _NAME_HEADS) + _pick(r, _NAME_TAILS)
    return f"{name} {_pick(r, words)}{_pick(r, ('', '', '', ', Inc.', ' LLC'))}"


def _article(title: str) -> str:
    """'a' or 'an' by how the title is spoken: an Electrician, an ML Engineer, a UX Designer."""
    word = title.split()[0].rstrip(".")
    if word[:2].isupper() and word != "MIG":  # acronyms are spelled out: an ML, an MLOps
        return "an" if word[0] in "AEFHILMNORSX" else "a"
    if word[:2] in ("UX", "UI") or word.startswith(("Uni", "Use", "User")):
        return "a"
    return "an" if word[0].lower() in "aeiou" else "a"


def _money(value: float, hourly: bool) -> str:
    return f"${value:,.2f}" if hourly else f"${round(value, -3):,.0f}"


def _years_line(r: Callable[[], float], years: int, span: int, domain: str) -> str:
    if years == 0:
        return _pick(r, (
            f"0-2 years of experience in {domain}; new graduates are encouraged to apply.",
            f"No prior experience required; internships or coursework in {domain} are a plus.",
        ))
    return _pick(r, (
        f"{years}+ years of experience in {domain}.",
        f"At least {years} years of {domain} experience.",
        f"Minimum of {years} years' experience in {domain}.",
        f"{years}-{years + span} years of experience in {domain}.",
        f"{years}+ years of professional experience in {domain}.",
    ))


def _pick_level(r: Callable[[], float]) -> tuple:
    u = r()
    for level in _LEVELS:
        u -= level[2]
        if u < 0:
            return level
    return _LEVELS[-1]


def _word_count(blocks: list[_Block]) -> int:
    return sum(item.count(" ") + 1 for block in blocks for item in block.items)


def _posting(seed: int, index: int) -> tuple[str, ...]:
    """Build one posting's column values from its own (seed, index) RNG."""
    rng = random.Random(f"{seed}-{index}")
    r = rng.random
    fam = _pick(r, ROLE_FAMILIES)
    level_key, level_label, _, (y_lo, y_hi), pay_factor = _pick_level(r)
    years = _randint(r, y_lo, y_hi)
    verbose = r() < 0.25  # long-winded postings: more of every section

    if level_key == "director":
        title = _pick(r, fam.head_titles)
    else:
        title = _pick(r, _PREFIXES[fam.kind][level_key]) + _pick(r, fam.titles)
    display_title = title
    if r() < 0.08:
        display_title += _pick(r, _TITLE_SUFFIXES[fam.kind])

    industry = _pick(r, fam.industries)
    company = _company_name(rng, fam, industry)
    location = _pick(r, _CITIES)
    remote = fam.kind == "tech" and r() < 0.06
    if remote:
        location = _pick(r, ("United States", "Remote (US)"))

    # skills: 4-7 from the family pool; certificates are phrased differently from tools
    pool = fam.skills + fam.certs
    picked = _sample(r, pool, _randint(r, 4, min(7, len(pool))))
    tools = [s for s in picked if s not in fam.certs]
    certs = [s for s in picked if s in fam.certs]

    # -- about the company
    _, descs, missions = _INDUSTRIES[industry]
    hq = location if not remote else _pick(r, _CITIES)
    size = _pick(r, _COMPANY_SIZES)
    about = [f"{company} is {'an' if size[0] in 'aeiou' else 'a'} {size} {_pick(r, descs)} "
             f"{_pick(r, ('based in', 'headquartered in', 'with roots in'))} {hq}."]
    about.append(_pick(r, missions))
    for culture in _sample(r, _CULTURE, 2 if verbose else int(r() < 0.7)):
        about.append(culture.format(
            year=_randint(r, 1925, 2019), staff=_pick(r, (150, 400, 1200, 2500, 8000, 20000)),
            offices=_randint(r, 2, 60), awards=_randint(r, 2, 9)))
    about_heading = _pick(r, _ABOUT_HEADINGS)
    about_block = _Block(about_heading.format(company=company) if about_heading else None,
                         [" ".join(about)], False)

    # -- role summary
    a_title = f"{_article(title)} {title}"
    where = _pick(r, ("", "", f" in {location}", " on a full-time basis"))
    if remote:
        where = _pick(r, ("", " (remote)"))
    summary = [_pick(r, _SUMMARY_OPENERS).format(
        a_title=a_title, title=title, team=fam.team, where=where, company=company,
        manager=_pick(r, _MANAGERS))]
    if r() < 0.8:
        summary.append(_pick(r, _SUMMARY_FOLLOWS).format(a_title=a_title, summary=fam.summary))
    if r() < 0.5:
        summary.append(_pick(r, _WORK_SETTINGS[fam.kind]).format(city=location))
    summary_block = _Block(_pick(r, _SUMMARY_HEADINGS), [" ".join(summary)], False)

    # -- responsibilities
    n_duties = len(fam.duties) if verbose else _randint(r, 3, min(5, len(fam.duties)))
    duties = _sample(r, fam.duties, n_duties)
    if level_key in ("lead", "director") or (level_key == "senior" and r() < 0.5):
        duties.append(_pick(r, _LEAD_DUTIES).format(reports=_randint(r, 3, 12)))
    if len(tools) >= 2 and r() < 0.5:
        a, b = _sample(r, tools, 2)
        duties.insert(_randint(r, 0, len(duties)), _pick(r, _SKILL_DUTIES).format(a=a, b=b))
    if verbose or r() < 0.6:
        duties.append(_pick(r, _GENERIC_DUTIES[fam.kind]))
    resp_block = _Block(_pick(r, _RESP_HEADINGS), duties, r() < 0.9)

    # -- qualifications: every picked skill is named here, in sentences or comma lists
    years_line = _years_line(r, years, _randint(r, 2, 4), fam.domain)
    quals: list[str] = []
    if level_key == "director":
        quals.append(f"{_randint(r, 3, 6)}+ years of people management experience.")
    tools = _sample(r, tools, len(tools))
    prefs: list[str] = []
    if len(tools) >= 3 and r() < 0.5:
        n_pref = _randint(r, 1, 2)
        prefs.append(_pick(r, _SKILL_PREFS).format(items=_join_items(r, tools[-n_pref:], "or")))
        tools = tools[:-n_pref]
    while tools:
        take = _randint(r, 1, 4)
        chunk, tools = tools[:take], tools[take:]
        if len(chunk) == 1:
            quals.append(_pick(r, _SKILL_QUALS_ONE).format(items=chunk[0]))
        elif r() < 0.2:
            quals.append(_pick(r, _SKILL_QUALS_LIST).format(items=", ".join(chunk)))
        else:
            quals.append(_pick(r, _SKILL_QUALS_MANY).format(items=_join_items(r, chunk)))
    for cert in certs:
        quals.append(_pick(r, _CERT_QUALS).format(cert=cert))
    if verbose or r() < 0.75:
        quals.append(_pick(r, fam.education))
    soft = _SOFT_QUALS[fam.kind]
    quals.extend(_sample(r, soft, len(soft) if verbose else _randint(r, 1, min(3, len(soft)))))
    quals = _sample(r, quals, len(quals))
    qual_block = _Block(_pick(r, _QUAL_HEADINGS), [years_line] + quals, True)
    pref_block = None
    if prefs:  # either its own "Nice to have" section or the last qualification
        if r() < 0.5:
            pref_block = _Block(_pick(r, _PREF_HEADINGS), prefs, True)
        else:
            qual_block.items.append(prefs[0])

    # -- benefits, pay, application, EEO
    benefits_block = None
    if r() < 0.85:
        n_benefits = _randint(r, 6, 10) if verbose else _randint(r, 3, 7)
        benefits = _sample(r, _BENEFITS, n_benefits)
        as_list = r() < 0.85
        if not as_list:
            benefits = [_pick(r, ("Benefits include: ", "We offer: ")) + ", ".join(benefits) + "."]
        benefits_block = _Block(_pick(r, _BENEFIT_HEADINGS), benefits, as_list)
    pay_block = None
    if r() < 0.5:
        hourly = fam.pay[1] < 1000
        lo = fam.pay[0] * pay_factor * (0.9 + 0.2 * r())
        hi = max(fam.pay[1] * pay_factor * (0.9 + 0.2 * r()), lo * 1.15)
        pay_block = _Block(_pick(r, _PAY_HEADINGS), [_pick(r, _HOURLY_TEXTS if hourly else _PAY_TEXTS)
                           .format(lo=_money(lo, hourly), hi=_money(hi, hourly))], False)
    apply_block = None
    if r() < 0.35:
        domain = "".join(ch for ch in company.split(",")[0].lower() if ch.isalnum())
        apply_block = _Block(_pick(r, _APPLY_HEADINGS),
                             [_pick(r, _APPLY_TEXTS).format(domain=domain)], False)
    eeo_block = _Block(_pick(r, _EEO_HEADINGS),
                       [_pick(r, _EEO_TEXTS).format(company=company)], False)

    # -- assemble in a varied order
    middle = [resp_block, qual_block] if r() < 0.75 else [qual_block, resp_block]
    if pref_block is not None:
        middle.insert(middle.index(qual_block) + 1, pref_block)
    tail = [b for b in (benefits_block, pay_block) if b is not None]
    if r() < 0.4:
        tail.reverse()
    about_pos = r()
    blocks: list[_Block] = []
    if about_pos < 0.7:
        blocks += [about_block, summary_block]
    elif about_pos < 0.8:
        blocks += [summary_block, about_block]
    else:
        blocks.append(summary_block)
    blocks += middle

    # optional sections, always some for verbose postings and as padding for short ones
    extras = _extra_blocks(rng, fam, verbose)
    words = _word_count(blocks) + _word_count(tail)
    while extras and (verbose or words < _MIN_WORDS or r() < 0.15):
        blocks.append(extras.pop())
        words += _word_count(blocks[-1:])
    blocks += tail
    if about_pos >= 0.8:
        blocks.append(about_block)
    if apply_block is not None:
        blocks.append(apply_block)
    if r() < 0.2:
        blocks.insert(len(blocks) - _randint(r, 0, 1), eeo_block)
    else:
        blocks.append(eeo_block)

    fmt = r()
    if fmt < 0.2:
        description = _render_html(rng, blocks)
    elif fmt < 0.26:
        description = _render_run_on(rng, blocks)
    else:
        description = _render_plain(rng, blocks)

    return (f"sample-{index + 1:06d}", display_title, company, location, description,
            ", ".join(picked), level_label, fam.key)


def _extra_blocks(rng: random.Random, fam: RoleFamily, verbose: bool) -> list[_Block]:
    """Optional sections in random order; the caller pops as many as it needs."""
    r = rng.random
    k = _randint(r, 4, 25)
    extras = [
        _Block(_pick(r, ("About the Team", "Meet the team", "Our Team", None)),
               [_pick(r, _TEAM_TEXTS).format(k=k, k0=max(2, k // 3), team=fam.team)], False),
        _Block(_pick(r, ("Additional Information", "Please note", None)),
               _sample(r, _CLOSING_TEXTS, 2 if verbose else 1), False),
    ]
    if fam.kind in ("tech", "office"):
        extras.append(_Block(_pick(r, ("What success looks like", "Your first 90 days")),
                             list(_SUCCESS_ITEMS[:_randint(r, 3, 4)]), True))
    if fam.kind in _SCHEDULE_ITEMS:
        items = _SCHEDULE_ITEMS[fam.kind]
        extras.append(_Block(_pick(r, ("Schedule", "Shift", "Hours")),
                             _sample(r, items, _randint(r, 2, len(items))), True))
    if fam.kind in _PHYSICAL_TEXTS:
        extras.append(_Block(_pick(r, ("Physical Demands", "Working Conditions", "Physical Requirements")),
                             [_PHYSICAL_TEXTS[fam.kind]], False))
    return _sample(r, extras, len(extras))


def _render_plain(rng: random.Random, blocks: list[_Block]) -> str:
    r = rng.random
    heading_style = _pick(r, ("{h}:", "{h}", "{H}", "**{h}**", "{h}:", "{H}:"))
    glyph = _pick(r, ("- ", "• ", "* ", "#", "- ", "• ", "· "))
    strip_periods = r() < 0.4
    parts = []
    for block in blocks:
        lines = []
        if block.heading:
            lines.append(heading_style.format(h=block.heading, H=block.heading.upper()))
        if block.bullets:
            for j, item in enumerate(block.items, 1):
                if strip_periods:
                    item = item.rstrip(".")
                lines.append(f"{j}. {item}" if glyph == "#" else glyph + item)
        else:
            lines.append(" ".join(block.items))
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def _render_html(rng: random.Random, blocks: list[_Block]) -> str:
    r = rng.random
    heading_tpl = _pick(r, ("<p><b>{h}</b></p>", "<h3>{h}</h3>", "<p><strong>{h}:</strong></p>",
                            "<b>{h}</b><br>", "<p><strong>{h}</strong></p>"))
    para_tpl = _pick(r, ("<p>{t}</p>", "<p>{t}</p>", "{t}<br><br>", "<div>{t}</div>"))
    sep = _pick(r, ("", "\n", ""))
    entity_apostrophes = r() < 0.3  # some exporters encode ' as &#39;

    def esc(text: str) -> str:
        out = html.escape(text, quote=False)
        return out.replace("'", "&#39;") if entity_apostrophes else out

    parts = []
    for block in blocks:
        if block.heading:
            parts.append(heading_tpl.format(h=esc(block.heading)))
        if block.bullets:
            parts.append("<ul>" + "".join(f"<li>{esc(item)}</li>" for item in block.items) + "</ul>")
        else:
            text = esc(" ".join(block.items))
            parts.append(para_tpl.format(t=text))
            if r() < 0.15:  # empty paragraphs the way rich-text editors leave them
                parts.append("<p>&nbsp;</p>")
    return sep.join(parts)


def _render_run_on(rng: random.Random, blocks: list[_Block]) -> str:
    """Markup stripped without separators: 'Job descriptionA leading...Requirements:- ...'."""
    r = rng.random
    glyph = _pick(r, ("- ", "• ", ""))
    parts = [_pick(r, _RUN_ON_PREFIXES)]
    for block in blocks:
        if block.heading:
            parts.append(block.heading + ":")
        if block.bullets:
            parts.extend(glyph + item for item in block.items)
        else:
            parts.append(" ".join(block.items))
    return "".join(parts)


def generate_postings(n: int, seed: int = 42) -> pd.DataFrame:
    """Generate ``n`` synthetic job postings, deterministic in ``(n, seed)``.

    Posting ``i`` depends only on ``(seed, i)``: generating more postings with the same
    seed leaves the first ones unchanged. Columns: see :data:`COLUMNS`.
    """
    try:
        n = operator.index(n)
        seed = operator.index(seed)
    except TypeError as err:
        raise ValueError(f"n and seed must be integers, got n={n!r}, seed={seed!r}") from err
    if n < 1:
        raise ValueError(f"number of sample postings must be at least 1, got n={n}")
    rows = [_posting(seed, i) for i in range(n)]
    return pd.DataFrame({name: list(values) for name, values in zip(COLUMNS, zip(*rows))})
