"""A one-table repository the Action tests run on: an Order whose status is a Python enum bound
to the DB type `order_status` of one SQL migration."""

MODELS = """\
import enum

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class OrderStatus(enum.Enum):
    pending = "pending"
    shipped = "shipped"


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[OrderStatus] = mapped_column(sa.Enum(OrderStatus, name="order_status"))
"""
MIGRATION = "CREATE TYPE order_status AS ENUM ('pending', 'shipped');\nCREATE TABLE orders (id serial PRIMARY KEY, status order_status);\n"
