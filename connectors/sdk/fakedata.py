"""A deterministic, realistic business for sandboxes to serve.

A blockchain technology company's customers, contracts, milestones, VAT invoices
and payments.

Every sandbox renders the same ``Universe`` (same seed, same anchor date) in its
own vendor's shapes, which is what lets the demo show two systems that overlap
the way a real company's do: the same customers under slightly different names.
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from connectors.sdk.cn import REGIONS, make_uscc

CENT = Decimal("0.01")
SHANGHAI = ZoneInfo("Asia/Shanghai")

_BRANDS = (
    "云链",
    "数信",
    "链融",
    "智合",
    "天衡",
    "博睿",
    "华信",
    "易通",
    "瑞达",
    "金桥",
    "中科",
    "海纳",
    "鼎盛",
    "卓远",
    "恒泰",
    "星图",
    "安链",
    "汇智",
    "远景",
    "新元",
    "同创",
    "聚源",
    "宏图",
    "立信",
)
_TRADES = (
    ("信息科技", "软件和信息技术服务"),
    ("供应链管理", "供应链"),
    ("物流", "物流"),
    ("商业银行", "金融"),
    ("融资租赁", "金融"),
    ("数据服务", "数据服务"),
    ("医药", "医疗健康"),
    ("能源", "能源"),
    ("文化传媒", "文化"),
    ("电子商务", "零售"),
)
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
_GIVEN = (
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "磊",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "霞",
    "平",
)
_TITLES = ("财务经理", "采购总监", "信息中心主任", "项目经理", "总经理", "IT 主管")
_BANKS = ("中国工商银行", "中国建设银行", "招商银行", "中国银行", "浦发银行")

CONTRACT_TYPES: dict[str, tuple[str, Decimal, tuple[str, ...]]] = {
    "technical_development": (
        "区块链平台开发",
        Decimal("0.06"),
        ("需求确认", "系统开发", "上线验收"),
    ),
    "technical_consulting": ("数字化咨询", Decimal("0.06"), ("调研报告", "方案交付")),
    "product_licence": ("BaaS 平台许可", Decimal("0.13"), ("许可交付",)),
    "operations_service": (
        "节点运维服务",
        Decimal("0.06"),
        ("第一季度", "第二季度", "第三季度", "第四季度"),
    ),
}


def round_money(value: Decimal) -> Decimal:
    """Half-up to the cent, the VAT invoice rule."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class FakeCompany:
    """A customer as the business knows it; ``alt_name`` is how the other system spells it."""

    key: str
    name: str
    alt_name: str
    tax_id: str
    city: str
    address: str
    phone: str
    email: str
    industry: str
    bank_name: str
    bank_account: str
    owner: str


@dataclass(frozen=True, slots=True)
class FakeContact:
    """A person at a customer."""

    company: str
    name: str
    title: str
    phone: str
    email: str


@dataclass(frozen=True, slots=True)
class FakeMilestone:
    """A contract milestone; ``percent`` of the contract amount."""

    name: str
    due_date: date
    percent: Decimal
    amount: Decimal
    status: str


@dataclass(frozen=True, slots=True)
class FakeContract:
    """A signed contract with its milestones."""

    number: str
    company: str
    title: str
    type: str
    amount: Decimal
    tax_rate: Decimal
    sign_date: date
    start_date: date
    end_date: date
    status: str
    payment_terms: str
    milestones: tuple[FakeMilestone, ...]


@dataclass(frozen=True, slots=True)
class FakeInvoice:
    """A VAT invoice against a contract; net + tax == gross by construction."""

    number: str
    contract: str
    company: str
    kind: str
    issue_date: date
    due_date: date
    net: Decimal
    tax: Decimal
    gross: Decimal
    tax_rate: Decimal
    status: str


@dataclass(frozen=True, slots=True)
class FakePayment:
    """Money received against an invoice."""

    number: str
    company: str
    invoice: str
    amount: Decimal
    received_on: date
    method: str


@dataclass(slots=True)
class Universe:
    """The whole seeded business."""

    companies: list[FakeCompany] = field(default_factory=list)
    contacts: list[FakeContact] = field(default_factory=list)
    contracts: list[FakeContract] = field(default_factory=list)
    invoices: list[FakeInvoice] = field(default_factory=list)
    payments: list[FakePayment] = field(default_factory=list)


def _person(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.randint(1, 2)))


def make_company(rng: random.Random, index: int) -> FakeCompany:
    """One customer; the same ``rng`` state always yields the same company."""
    region = rng.choice(list(REGIONS))
    city = REGIONS[region]
    brand = rng.choice(_BRANDS) + rng.choice(_BRANDS)[0]
    trade, industry = rng.choice(_TRADES)
    name = f"{city}{brand}{trade}有限公司"
    alt = rng.choice(
        (
            f"{brand}（{city}）{trade}有限公司",
            f"{city}{brand}{trade}股份有限公司",
            f"{city} {brand}{trade}有限公司",
            name,
        )
    )
    return FakeCompany(
        key=f"C{index:05d}",
        name=name,
        alt_name=alt,
        tax_id=make_uscc(rng, region),
        city=city,
        address=f"{city}市{rng.choice(('滨江区', '西湖区', '南山区', '浦东新区', '海淀区'))}{rng.randint(1, 999)}号",
        phone=f"0{rng.randint(10, 99)}-{rng.randint(10000000, 99999999)}",
        email=f"finance{index}@example.cn",
        industry=industry,
        bank_name=rng.choice(_BANKS),
        bank_account=str(rng.randint(10**15, 10**16 - 1)),
        owner=_person(rng),
    )


def _contract(rng: random.Random, company: FakeCompany, n: int, anchor: date) -> FakeContract:
    ctype = rng.choice(list(CONTRACT_TYPES))
    label, rate, steps = CONTRACT_TYPES[ctype]
    amount = Decimal(rng.randrange(50_000, 3_000_000, 1_000))
    signed = anchor - timedelta(days=rng.randint(10, 420))
    end = signed + timedelta(days=rng.choice((90, 180, 365)))
    weights = [Decimal(1) / len(steps)] * len(steps)
    percents = [round_money(w * 100) for w in weights]
    percents[-1] = Decimal(100) - sum(percents[:-1])
    span = (end - signed).days
    milestones = []
    for i, (step, pct) in enumerate(zip(steps, percents, strict=True)):
        due = signed + timedelta(days=span * (i + 1) // len(steps))
        status = (
            "accepted"
            if due < anchor - timedelta(days=20)
            else (
                "delivered"
                if due < anchor
                else ("in_progress" if i == 0 or due < anchor + timedelta(days=45) else "planned")
            )
        )
        if status == "accepted" and rng.random() < 0.15:
            status = "delivered"  # delivered, acceptance pending: a finance flag
        milestones.append(FakeMilestone(step, due, pct, round_money(amount * pct / 100), status))
    done = all(m.status == "accepted" for m in milestones)
    return FakeContract(
        number=f"HT{signed.year}{n:05d}",
        company=company.key,
        title=f"{company.name.removesuffix('有限公司')}{label}项目",
        type=ctype,
        amount=amount,
        tax_rate=rate,
        sign_date=signed,
        start_date=signed,
        end_date=end,
        status="completed" if done else "active",
        payment_terms=rng.choice(
            ("30% 预付款，里程碑验收后付款，10% 质保金", "按里程碑验收后 30 天内付款", "季度末付款")
        ),
        milestones=tuple(milestones),
    )


def build_universe(seed: int = 0, companies: int = 300, *, anchor: date | None = None) -> Universe:
    """The seeded business: ``companies`` customers, their contracts, invoices and payments."""
    rng = random.Random(seed)
    anchor = anchor or datetime.now(SHANGHAI).date()
    uni = Universe()
    contract_no = invoice_no = payment_no = 0
    for i in range(1, companies + 1):
        company = make_company(rng, i)
        uni.companies.append(company)
        for _ in range(rng.randint(1, 2)):
            person = _person(rng)
            uni.contacts.append(
                FakeContact(
                    company.key,
                    person,
                    rng.choice(_TITLES),
                    f"1{rng.randint(3, 9)}{rng.randint(100000000, 999999999)}",
                    f"{company.key.lower()}.{len(uni.contacts)}@example.cn",
                )
            )
        for _ in range(rng.choice((0, 1, 1, 2))):
            contract_no += 1
            contract = _contract(rng, company, contract_no, anchor)
            uni.contracts.append(contract)
            for m in contract.milestones:
                if m.status != "accepted" or rng.random() < 0.1:
                    continue  # not yet invoiced (or delivered-but-not-invoiced)
                invoice_no += 1
                net = m.amount
                tax = round_money(net * contract.tax_rate)
                issued = m.due_date + timedelta(days=rng.randint(1, 10))
                invoice = FakeInvoice(
                    number=f"FP{issued.year}{invoice_no:06d}",
                    contract=contract.number,
                    company=company.key,
                    kind=rng.choice(("vat_special", "vat_special", "vat_normal")),
                    issue_date=issued,
                    due_date=issued + timedelta(days=30),
                    net=net,
                    tax=tax,
                    gross=net + tax,
                    tax_rate=contract.tax_rate,
                    status="issued",
                )
                paid = rng.random()
                if paid < 0.55:
                    amounts = [invoice.gross]
                elif paid < 0.75:
                    amounts = [round_money(invoice.gross * Decimal("0.5"))]
                else:
                    amounts = []
                for amt in amounts:
                    payment_no += 1
                    uni.payments.append(
                        FakePayment(
                            f"SK{issued.year}{payment_no:06d}",
                            company.key,
                            invoice.number,
                            amt,
                            issued + timedelta(days=rng.randint(5, 60)),
                            rng.choice(("bank_transfer", "acceptance_bill")),
                        )
                    )
                status = (
                    "paid"
                    if amounts and amounts[0] == invoice.gross
                    else ("partially_paid" if amounts else "issued")
                )
                uni.invoices.append(dataclasses.replace(invoice, status=status))
    return uni
